"""Checking staged rows and writing them to the warehouse, one transaction per file.

Every row read is either kept (inserted, updated or unchanged) or rejected with its line,
column and reason, so ``read = inserted + updated + unchanged + rejected`` always holds. A bad
value a row can do without (a recipient address) is refused alone: the row is kept and the
value gets a line of its own among the rejects, counted as ``refused``. The rejects go to a
CSV written next to the transaction: streamed to a temporary file before the commit, renamed
into place after it, removed if the file is rolled back.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo, available_timezones

import duckdb
import pyarrow as pa

from analytics import config, csvsafe, sentiment
from analytics.ingest import canonical, hashtags, read, values
from analytics.ingest.adapter import COUNTERS, Context, DailyFormat, PostFormat
from analytics.ingest.formats import Format
from analytics.ingest.plan import FilePlan, Part
from analytics.ingest.tables import Table, open_tables
from analytics.ingest.values import YearGuess
from analytics.warehouse import sql

#: How many rejects a result keeps in memory for display (the rejects file has them all).
REJECTS_SHOWN = 1000


@dataclass(frozen=True)
class Decrease:
    """A counter lower than in the observation before it: kept (platforms do remove likes),
    and reported. ``line`` is the line of the file's observation of the two."""

    line: int
    platform: str
    content_id: str
    counter: str
    before_day: date
    before: int
    after_day: date
    after: int

    def describe(self) -> str:
        return (f"{self.platform}/{self.content_id} {self.counter} {self.before:,} on "
                f"{self.before_day} → {self.after:,} on {self.after_day}")


#: The query files the ingest runs (the registry test checks none is orphaned).
INGEST_QUERIES = (
    "ingest_macros", "ingest_posts_check", "ingest_posts_status", "ingest_posts_upsert_content",
    "ingest_posts_insert_metrics", "ingest_posts_upsert_metrics", "ingest_businesses_check",
    "ingest_businesses_upsert", "ingest_businesses_refused", "ingest_daily_check",
    "ingest_daily_status",
    "ingest_daily_upsert_metrics", "ingest_daily_upsert_followers", "ingest_rejects",
    "ingest_posts_decreases",
    "ingest_tags_scope", "tags_replace", "ingest_competitors_check", "ingest_competitors_upsert",
    "ingest_comments_check", "ingest_comments_texts", "ingest_comments_upsert",
    "ingest_experiments_check", "ingest_experiments_upsert",
)


@dataclass
class FileResult:
    """What ingesting one file (or one sheet of a workbook) did."""

    path: Path
    format: str = "?"
    #: "posts", "businesses" or "daily"
    format_kind: str = "?"
    sheet: str | None = None
    read: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    #: values refused in rows that were kept (a bad recipient address): each has a line in
    #: the rejects file, but the row is counted as kept, not rejected
    refused: int = 0
    #: (line, column, reason) of the first :data:`REJECTS_SHOWN` lines of the rejects file
    #: (rejected rows and refused values), in line order
    rejects: list[tuple[int, str | None, str]] = field(default_factory=list)
    rejects_file: Path | None = None
    ignored_columns: list[str] = field(default_factory=list)
    #: counters lower than in the observation before (kept, and logged to decreases_file)
    decreased: int = 0
    #: the first :data:`REJECTS_SHOWN` of them, in line order
    decreases: list[Decrease] = field(default_factory=list)
    decreases_file: Path | None = None
    #: (line, reason) of rows that are not data: Total rows, description rows
    skipped: list[tuple[int, str]] = field(default_factory=list)
    #: sheets of a workbook left out, and why
    notes: list[str] = field(default_factory=list)
    business_id: str | None = None
    platform: str | None = None
    observed_on: date | None = None
    #: set when the whole file was refused (unknown format, unreadable); nothing was written
    error: str | None = None

    @property
    def kept(self) -> int:
        return self.inserted + self.updated + self.unchanged

    @property
    def label(self) -> str:
        return f"{self.path} [{self.sheet}]" if self.sheet else str(self.path)


def _count_statuses(con: duckdb.DuckDBPyConnection, table: str, result: FileResult) -> None:
    counts = dict(
        con.execute(f"SELECT status, count(*) FROM {table} GROUP BY status").fetchall()
    )
    result.inserted = counts.get("inserted", 0)
    result.updated = counts.get("updated", 0)
    result.unchanged = counts.get("unchanged", 0)


def _context(part: Part, table: Table) -> Context:
    zones = {b: ZoneInfo(z) for b, z in part.timezones.items()}
    return Context(
        platform=part.platform or "",
        observed_on=part.observed_on or date.today(),
        business_for=lambda accounts: part.businesses.get(accounts) or part.file_business,
        timezone_of=zones.get,
        years=YearGuess(part.year, part.period_end),
        path=part.path,
        preamble=table.preamble,
    )


def _ingest_posts(con: duckdb.DuckDBPyConnection, part: Part, table: Table,
                  staged: read.Staged | None, now: datetime) -> read.Staged:
    fmt = part.format
    if isinstance(fmt, PostFormat):
        staged = read.stage_posts(con, fmt, table, _context(part, table))
        optional = list(COUNTERS)  # an export lacking a counter leaves it missing
    else:
        staged = staged or read.stage_canonical(con, fmt, table)
        optional = list(canonical.OPTIONAL_COUNTERS)
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _checked AS " + sql.load("ingest_posts_check"),
        {"default_observed_on": part.observed_on or date.today(),
         "platforms": list(config.PLATFORMS), "optional_counters": optional,
         "min_year": config.YEARS[0], "max_year": config.YEARS[1]},
    )
    con.execute("CREATE OR REPLACE TEMP TABLE _status AS " + sql.load("ingest_posts_status"))
    sql.execute(con, "ingest_posts_upsert_content")
    hashtags.store(con, sql.execute(con, "ingest_tags_scope").fetchall())
    for name in ("ingest_posts_insert_metrics", "ingest_posts_upsert_metrics"):
        sql.execute(con, name, source_file=str(part.path), ingested_at=now)
    return staged


def _timezones(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The timezone names both DuckDB (the SQL) and Python (the reports) understand: DuckDB
    also takes abbreviations such as JST or IST that Python's zoneinfo does not, and that are
    ambiguous anyway."""
    duck = {r[0] for r in con.execute("SELECT name FROM pg_timezone_names()").fetchall()}
    return sorted(duck & available_timezones())


def _ingest_businesses(con: duckdb.DuckDBPyConnection, part: Part, table: Table,
                       staged: read.Staged | None) -> read.Staged:
    staged = staged or read.stage_canonical(con, part.format, table)
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _checked AS " + sql.load("ingest_businesses_check"),
        {"email_pattern": config.EMAIL_PATTERN, "timezones": _timezones(con)},
    )
    sql.execute(con, "ingest_competitors_check")
    con.execute("CREATE OR REPLACE TEMP TABLE _status AS "
                "SELECT _line, status FROM _checked WHERE problem IS NULL")
    sql.execute(con, "ingest_businesses_upsert")
    sql.execute(con, "ingest_competitors_upsert")
    sql.execute(con, "ingest_businesses_refused")
    return staged


def _ingest_comments(con: duckdb.DuckDBPyConnection, part: Part, table: Table,
                     staged: read.Staged | None, now: datetime) -> read.Staged:
    """Canonical comments: checked against the posts, scored (``analytics/sentiment.py``)."""
    staged = staged or read.stage_canonical(con, part.format, table)
    con.execute("CREATE OR REPLACE TEMP TABLE _checked AS " + sql.load("ingest_comments_check"))
    con.execute("CREATE OR REPLACE TEMP TABLE _status AS "
                "SELECT _line, status FROM _checked WHERE problem IS NULL")
    lines, language, polarity, label = [], [], [], []
    for line, text in sql.execute(con, "ingest_comments_texts").fetchall():
        found = sentiment.score(text)
        lines.append(line)
        language.append(found.language)
        polarity.append(found.sentiment)
        label.append(found.label)
    con.register("_scores", pa.table({
        "_line": pa.array(lines, pa.int64()), "language": pa.array(language, pa.string()),
        "sentiment": pa.array(polarity, pa.float64()), "label": pa.array(label, pa.string()),
    }))
    try:
        sql.execute(con, "ingest_comments_upsert", source_file=str(part.path), ingested_at=now)
    finally:
        con.unregister("_scores")
    return staged


def _ingest_daily(con: duckdb.DuckDBPyConnection, part: Part, table: Table,
                  now: datetime) -> read.Staged:
    fmt = part.format
    assert isinstance(fmt, DailyFormat)
    staged = read.stage_daily(con, fmt, table, _context(part, table))
    keys = {"business_id": part.file_business, "platform": part.platform}
    con.execute("CREATE OR REPLACE TEMP TABLE _checked AS " + sql.load("ingest_daily_check"),
                {**keys, "day_column": fmt.day})
    con.execute("CREATE OR REPLACE TEMP TABLE _status AS " + sql.load("ingest_daily_status"))
    for name in ("ingest_daily_upsert_metrics", "ingest_daily_upsert_followers"):
        sql.execute(con, name, **keys, source_file=str(part.path), ingested_at=now)
    return staged


def _write_rejects(con: duckdb.DuckDBPyConnection, part: Part, table: Table,
                   result: FileResult, target: Path) -> None:
    """Stream the part's rejects to ``target`` (file, line, column, reason), counting rows
    rejected and values refused in ``result``. Columns the checks name canonically are given
    as the export's own header spells them."""
    fmt = part.format
    cursor = con.execute(sql.load("ingest_rejects"))
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target, "w", encoding="utf-8", newline="") as handle:
        writer = csvsafe.Writer(handle, lineterminator="\n")
        writer.writerow(["file", "line", "column", "reason"])
        while rows := cursor.fetchmany(10_000):
            for line, column, reason, kept in rows:
                if column and isinstance(fmt, PostFormat):
                    column = fmt.source_column(column, table.header)
                writer.writerow([result.label, line, column or "", reason])
                if len(result.rejects) < REJECTS_SHOWN:
                    result.rejects.append((line, column, reason))
                if kept:
                    result.refused += 1
                else:
                    result.rejected += 1


def _write_decreases(con: duckdb.DuckDBPyConnection, result: FileResult, now: datetime,
                     target: Path) -> int:
    """Stream the counters this file saw go down (or made go down) to ``target``, a CSV in
    the rejects' style; returns how many. Nothing is written when there are none."""
    cursor = con.execute(sql.load("ingest_posts_decreases"),
                         {"ingested_at": now, "source_file": str(result.path)})
    count = 0
    handle = None
    try:
        while rows := cursor.fetchmany(10_000):
            if handle is None:
                target.parent.mkdir(parents=True, exist_ok=True)
                handle = open(target, "w", encoding="utf-8", newline="")  # noqa: SIM115
                writer = csvsafe.Writer(handle, lineterminator="\n")
                writer.writerow(["file", "line", "platform", "content_id", "counter",
                                 "before_day", "before", "after_day", "after"])
            for row in rows:
                decrease = Decrease(*row)
                writer.writerow([result.label, *row])
                if len(result.decreases) < REJECTS_SHOWN:
                    result.decreases.append(decrease)
                count += 1
    finally:
        if handle is not None:
            handle.close()
    return count


def _lineage(con: duckdb.DuckDBPyConnection, plan: FilePlan, part: Part, result: FileResult,
             now: datetime) -> None:
    con.execute(
        "INSERT INTO ingest_files (source_file, format, sha256, ingested_at, rows_read, "
        "inserted, updated, unchanged, rejected, rejects_file, sheet, business_id, "
        "observed_on) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [str(plan.path), result.format, plan.sha256, now, result.read, result.inserted,
         result.updated, result.unchanged, result.rejected,
         str(result.rejects_file) if result.rejects_file else None, part.sheet,
         result.business_id, part.observed_on],
    )


def _single_business(part: Part) -> str | None:
    found = part.business_ids
    return found.pop() if len(found) == 1 else None


def ingest_file(
    con: duckdb.DuckDBPyConnection,
    plan: FilePlan,
    *,
    rejects_dir: Path,
    now: datetime | None = None,
) -> list[FileResult]:
    """Ingest one planned file (every sheet of a workbook) in one transaction; a refused file
    leaves the warehouse as it was. Rejected rows go to ``rejects_dir/<time>-<file>-<hash>.csv``.
    """
    now = now or datetime.now(UTC)
    formats: Sequence[Format] = [p.format for p in plan.parts]
    results: list[FileResult] = []
    written: list[tuple[Path, Path]] = []  # (temporary, final) rejects files
    logged: list[tuple[Path, Path]] = []  # (temporary, final) decreases logs
    with open_tables(plan.path, formats) as opened:
        tables = opened.tables
        if [t.format for t in tables] != list(formats):
            raise duckdb.Error(f"{plan.path} changed while it was being ingested")
        fast: read.Staged | None = None
        if (len(tables) == 1 and not isinstance(formats[0], PostFormat | DailyFormat)
                and read.fast_path_applies(tables[0])):
            fast = read.stage_canonical_fast(con, formats[0], tables[0])
        con.execute("BEGIN TRANSACTION")
        try:
            values.register_sql(con)  # the number grammar the macros below call
            con.execute(sql.load("ingest_macros"))
            for part, table in zip(plan.parts, tables, strict=True):
                # values refused in kept rows; only a businesses file finds any
                con.execute('CREATE OR REPLACE TEMP TABLE _refused '
                            '(_line BIGINT, "column" VARCHAR, reason VARCHAR)')
                result = FileResult(plan.path, format=part.format.name,
                                    format_kind=part.format.kind, sheet=part.sheet,
                                    business_id=_single_business(part),
                                    platform=part.platform, observed_on=part.observed_on)
                if part.format.kind == "posts":
                    staged = _ingest_posts(con, part, table, fast, now)
                elif part.format.kind == "businesses":
                    staged = _ingest_businesses(con, part, table, fast)
                elif part.format.kind == "comments":
                    staged = _ingest_comments(con, part, table, fast, now)
                elif part.format.kind == "experiments":
                    staged = fast or read.stage_canonical(con, part.format, table)
                    con.execute("CREATE OR REPLACE TEMP TABLE _checked AS "
                                + sql.load("ingest_experiments_check"))
                    con.execute("CREATE OR REPLACE TEMP TABLE _status AS "
                                "SELECT _line, status FROM _checked WHERE problem IS NULL")
                    sql.execute(con, "ingest_experiments_upsert", source_file=str(part.path),
                                ingested_at=now)
                else:
                    staged = _ingest_daily(con, part, table, now)
                result.read = staged.rows_read
                result.skipped, result.ignored_columns = staged.skipped, staged.ignored_columns
                _count_statuses(con, "_status", result)
                name = (f"{now:%Y%m%d-%H%M%S}-{plan.path.stem}"
                        f"{'-' + part.sheet if part.sheet else ''}-{plan.sha256[:8]}.csv")
                final = rejects_dir / name.replace("/", "_").replace(" ", "_")
                temporary = final.with_suffix(".csv.tmp")
                written.append((temporary, final))
                _write_rejects(con, part, table, result, temporary)
                result.rejects_file = final if result.rejected or result.refused else None
                if part.format.kind == "posts" and result.inserted + result.updated:
                    log = final.with_name(final.stem + "-decreases.csv")
                    logged.append((log.with_suffix(".csv.tmp"), log))
                    result.decreased = _write_decreases(con, result, now, logged[-1][0])
                    result.decreases_file = log if result.decreased else None
                _lineage(con, plan, part, result, now)
                read.drop_scratch(con)
                results.append(result)
            con.execute("COMMIT")
        except BaseException:
            # DuckDB aborts the transaction itself on some errors (a full disk): then there is
            # nothing to roll back, and that must not hide the error that matters
            with contextlib.suppress(duckdb.Error):
                con.execute("ROLLBACK")
            for temporary, _final in written + logged:
                with contextlib.suppress(OSError):
                    temporary.unlink(missing_ok=True)
            raise
        finally:
            with contextlib.suppress(duckdb.Error):
                read.drop_scratch(con)
    for (temporary, final), result in zip(written, results, strict=True):
        if result.rejects_file:
            temporary.replace(final)
        else:
            temporary.unlink(missing_ok=True)
    for temporary, final in logged:
        if temporary.exists():
            temporary.replace(final)
    for result in results:
        result.notes = list(plan.skipped_sheets)
        assert result.read == result.kept + result.rejected, result
    return results
