"""Checking staged rows and writing them to the warehouse, one transaction per file.

Every row read is either kept (inserted, updated or unchanged) or rejected with its line,
column and reason, so ``read = inserted + updated + unchanged + rejected`` always holds.
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb

from analytics import config, sql
from analytics.ingest.read import Staged, stage

#: A plain address (local@domain.tld): no display names, no spaces, no line breaks.
EMAIL_PATTERN = (
    r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+"
    r"@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+"
)


#: The query files the ingest runs (the registry test checks none is orphaned).
INGEST_QUERIES = (
    "ingest_macros", "ingest_posts_check", "ingest_posts_status", "ingest_posts_upsert_content",
    "ingest_posts_upsert_metrics", "ingest_businesses_check", "ingest_businesses_upsert",
)


@dataclass
class FileResult:
    """What ingesting one file did."""

    path: Path
    format: str = "?"
    read: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    #: (line, column, reason) of each rejected row
    rejects: list[tuple[int, str | None, str]] = field(default_factory=list)
    rejects_file: Path | None = None
    ignored_columns: list[str] = field(default_factory=list)
    #: set when the whole file was refused (unknown format, unreadable); nothing was written
    error: str | None = None

    @property
    def kept(self) -> int:
        return self.inserted + self.updated + self.unchanged


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _count_statuses(con: duckdb.DuckDBPyConnection, table: str, result: FileResult) -> None:
    counts = dict(
        con.execute(f"SELECT status, count(*) FROM {table} GROUP BY status").fetchall()
    )
    result.inserted = counts.get("inserted", 0)
    result.updated = counts.get("updated", 0)
    result.unchanged = counts.get("unchanged", 0)


def _collect_rejects(con: duckdb.DuckDBPyConnection, staged: Staged, result: FileResult) -> None:
    rows = con.execute(
        "SELECT _line, problem.column, problem.reason FROM _checked WHERE problem IS NOT NULL"
    ).fetchall()
    result.rejects = sorted(staged.rejects + [tuple(r) for r in rows], key=lambda r: r[0])
    result.rejected = len(result.rejects)


def ingest_file(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    *,
    observed_on: date,
    rejects_dir: Path,
    now: datetime | None = None,
) -> FileResult:
    """Ingest one file in one transaction; a refused file leaves the warehouse as it was.

    Rejected rows are written to ``rejects_dir/<time>-<file>.csv`` once the transaction commits.
    """
    result = FileResult(path)
    now = now or datetime.now(UTC)
    digest = _sha256(path)
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(sql.load("ingest_macros"))
        staged = stage(con, path)
        result.format, result.read = staged.format.name, staged.rows_read
        result.ignored_columns = staged.ignored_columns
        if staged.format.kind == "posts":
            con.execute(
                "CREATE OR REPLACE TEMP TABLE _checked AS " + sql.load("ingest_posts_check"),
                {"default_observed_on": observed_on, "platforms": list(config.PLATFORMS)},
            )
            con.execute(
                "CREATE OR REPLACE TEMP TABLE _status AS " + sql.load("ingest_posts_status")
            )
            _count_statuses(con, "_status", result)
            sql.execute(con, "ingest_posts_upsert_content")
            sql.execute(con, "ingest_posts_upsert_metrics", source_file=str(path), ingested_at=now)
        else:
            con.execute(
                "CREATE OR REPLACE TEMP TABLE _checked AS " + sql.load("ingest_businesses_check"),
                {"email_pattern": EMAIL_PATTERN},
            )
            _count_statuses(con, "_checked WHERE problem IS NULL", result)
            sql.execute(con, "ingest_businesses_upsert")
        _collect_rejects(con, staged, result)
        if result.rejects:
            name = f"{now:%Y%m%d-%H%M%S}-{path.stem}-{digest[:8]}.csv"
            result.rejects_file = rejects_dir / name
        con.execute(
            "INSERT INTO ingest_files VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [str(path), result.format, digest, now, result.read, result.inserted,
             result.updated, result.unchanged, result.rejected,
             str(result.rejects_file) if result.rejects_file else None],
        )
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    finally:
        for table in ("_stage", "_checked", "_status"):
            con.execute(f"DROP TABLE IF EXISTS {table}")
    if result.rejects_file:
        write_rejects(result, result.rejects_file)
    assert result.read == result.kept + result.rejected, result
    return result


def write_rejects(result: FileResult, target: Path) -> None:
    """Write a file's rejects as CSV (file, line, column, reason), atomically."""
    target.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["file", "line", "column", "reason"])
    for line, column, reason in result.rejects:
        writer.writerow([str(result.path), line, column or "", reason])
    temp = target.with_suffix(".csv.tmp")
    temp.write_text(buffer.getvalue(), encoding="utf-8")
    temp.replace(target)
