"""Helpers shared by the ingest tests: running the real ingest path and reading back sums."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from datetime import date
from pathlib import Path

import duckdb

from analytics.ingest import FileResult, ingest_paths

COUNTERS = ("views", "reach", "likes", "shares", "comments", "clicks")


def add_business(con: duckdb.DuckDBPyConnection, business_id: str,
                 timezone: str = "UTC") -> None:
    con.execute("INSERT INTO businesses (business_id, name, timezone, recipients)"
                " VALUES (?, ?, ?, [])",
                [business_id, business_id.title(), timezone])


def run(con: duckdb.DuckDBPyConnection, paths: Iterable[Path | str], tmp_path: Path,
        **options: object) -> list[FileResult]:
    """Ingest through the library entry point; every result must account for every row."""
    options.setdefault("today", date(2026, 11, 30))
    results = ingest_paths(con, list(paths), rejects_dir=tmp_path / "rejects", **options)
    for result in results:
        assert result.read == result.kept + result.rejected, result
    return results


def one(results: list[FileResult]) -> FileResult:
    assert len(results) == 1, results
    assert results[0].error is None, results[0].error
    return results[0]


def warehouse_sums(con: duckdb.DuckDBPyConnection, platform: str) -> dict[str, object]:
    """Posts, observations and the sum of each counter (None when every value is missing)."""
    row = con.execute(
        "SELECT count(DISTINCT content_id), count(*), sum(views), sum(reach), sum(likes), "
        "sum(shares), sum(comments), sum(clicks) FROM content_metrics WHERE platform = ?",
        [platform],
    ).fetchone()
    return dict(zip(("posts", "observations", *COUNTERS), row, strict=True))


def csv_dicts(path: Path, *, encoding: str = "utf-8-sig", skip: int = 0) -> list[dict]:
    """The rows of a CSV as dicts, read independently of the code under test."""
    with open(path, encoding=encoding, newline="") as handle:
        for _ in range(skip):
            handle.readline()
        return list(csv.DictReader(handle))


def count_sum(rows: list[dict], column: str) -> int:
    return sum(int(float(r[column])) for r in rows if r[column].strip())


def snapshot(con: duckdb.DuckDBPyConnection) -> dict[str, list]:
    """Every row of every warehouse table, to compare before and after."""
    tables = ("businesses", "content", "content_metrics", "followers", "account_metrics",
              "ingest_files")
    return {t: sorted(map(repr, con.execute(f"SELECT * FROM {t}").fetchall())) for t in tables}


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))
    return path
