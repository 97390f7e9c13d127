"""Staging a table's rows in DuckDB: ``_stage`` (canonical posts or businesses, text), or
``_daily_stage`` (account-level daily values), with the line each row came from, and
``_read_rejects`` for the lines refused while reading.

Platform exports are small and go row by row through their adapter. Our canonical files may be
large: Parquet is read by DuckDB in place, and a canonical CSV whose records are one line each
takes a fast path, DuckDB reading the file in parallel; otherwise (a quoted field spanning lines,
a blank line, a broken record) the csv module streams it in chunks. Either way memory stays
bounded and every row keeps its exact line number.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb
import pyarrow as pa

from analytics.ingest import canonical
from analytics.ingest.adapter import POST_COLUMNS, Context, Converted, DailyFormat, PostFormat
from analytics.ingest.formats import Format, header_keys
from analytics.ingest.tables import Table
from analytics.warehouse import sql

CHUNK_ROWS = 50_000
STAGE = "_stage"
RAW = "_raw_stage"
DAILY = "_daily_stage"
READ_REJECTS = "_read_rejects"
#: Scratch tables and views of one file's ingest, dropped when it ends.
SCRATCH_TABLES = (STAGE, RAW, DAILY, READ_REJECTS, "_checked", "_status", "_refused")


@dataclass
class Staged:
    """What reading a table produced."""

    rows_read: int = 0
    #: (line, reason) of rows that are not data (a Total row, a description row)
    skipped: list[tuple[int, str]] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)


def drop_scratch(con: duckdb.DuckDBPyConnection) -> None:
    kinds = dict(con.execute(
        "SELECT table_name, table_type FROM information_schema.tables "
        "WHERE table_schema = 'main' AND table_catalog = 'temp'"
    ).fetchall())
    for name in SCRATCH_TABLES:
        if name in kinds:
            kind = "VIEW" if kinds[name] == "VIEW" else "TABLE"
            con.execute(f"DROP {kind} IF EXISTS {sql.quote_identifier(name)}")


class _Chunks:
    """Rows appended to a temp table in Arrow chunks of :data:`CHUNK_ROWS`."""

    def __init__(self, con: duckdb.DuckDBPyConnection, table: str,
                 columns: dict[str, pa.DataType]) -> None:
        self.con, self.table, self.types = con, table, columns
        self.columns: dict[str, list] = {c: [] for c in columns}
        defined = ", ".join(f"{sql.quote_identifier(c)} {_SQL_TYPES[t]}" for c, t in
                            columns.items())
        con.execute(f"CREATE OR REPLACE TEMP TABLE {sql.quote_identifier(table)} ({defined})")

    def add(self, values: Iterable[object]) -> None:
        for column, value in zip(self.columns.values(), values, strict=True):
            column.append(value)
        if len(next(iter(self.columns.values()))) >= CHUNK_ROWS:
            self.flush()

    def flush(self) -> None:
        if not next(iter(self.columns.values())):
            return
        chunk = pa.table({c: pa.array(v, self.types[c]) for c, v in self.columns.items()})
        self.con.register("_chunk", chunk)
        self.con.execute(f"INSERT INTO {sql.quote_identifier(self.table)} SELECT * FROM _chunk")
        self.con.unregister("_chunk")
        for values in self.columns.values():
            values.clear()


_SQL_TYPES = {pa.int64(): "BIGINT", pa.string(): "VARCHAR", pa.date32(): "DATE"}
_REJECT_COLUMNS = {"_line": pa.int64(), "column": pa.string(), "reason": pa.string()}


def _ignored(header: list[str], used: Iterable[str]) -> list[str]:
    used = set(used)
    keys = header_keys(header)
    return [header[i] for key, i in keys.items() if key not in used]


def _stage_converted(con: duckdb.DuckDBPyConnection, converted: Iterator[Converted],
                     columns: tuple[str, ...], staged: Staged) -> None:
    stage = _Chunks(con, STAGE, {"_line": pa.int64(), **{c: pa.string() for c in columns}})
    rejects = _Chunks(con, READ_REJECTS, _REJECT_COLUMNS)
    for line, row, column, reason in converted:
        staged.rows_read += 1
        if row is None:
            rejects.add((line, column, reason))
        else:
            stage.add([line, *(row.get(c) for c in columns)])
    stage.flush()
    rejects.flush()


def stage_canonical(con: duckdb.DuckDBPyConnection, fmt: Format, table: Table) -> Staged:
    """Stage a canonical CSV row by row (the careful path), or a canonical Parquet file."""
    staged = Staged(ignored_columns=_ignored(table.header, fmt.columns))
    if table.path.suffix.lower() == ".parquet":
        _stage_parquet(con, fmt, table)
        staged.rows_read = con.execute(f"SELECT count(*) FROM {STAGE}").fetchone()[0]
        _Chunks(con, READ_REJECTS, _REJECT_COLUMNS)
        return staged
    _stage_converted(con, canonical.rows(fmt, table), fmt.columns, staged)
    return staged


def _stage_parquet(con: duckdb.DuckDBPyConnection, fmt: Format, table: Table) -> None:
    keys = header_keys(table.header)
    selected = ", ".join(
        f"CAST({sql.quote_identifier(table.header[keys[c]])} AS VARCHAR) AS "
        f"{sql.quote_identifier(c)}" if c in keys else f"NULL::VARCHAR AS {sql.quote_identifier(c)}"
        for c in fmt.columns
    )
    con.execute(
        # Parquet has no lines: a row's "line" is its 1-based row number in the file
        f"CREATE OR REPLACE TEMP TABLE {STAGE} AS SELECT file_row_number + 1 AS _line, "
        f"{selected} FROM read_parquet(?, file_row_number = true)",
        [str(table.path)],
    )


def fast_path_applies(table: Table) -> bool:
    """A canonical CSV DuckDB can read as it is: UTF-8, commas, the header on line 1."""
    return (table.path.suffix.lower() not in (".parquet", ".xlsx")
            and table.encoding in ("utf-8", "utf-8-sig") and table.delimiter == ","
            and table.header_line == 1 and not table.preamble
            and len(set(table.header)) == len(table.header))


def _data_lines(path: Path) -> int | None:
    """The number of lines after the header, counting a last line without its ``\\n``; None
    when the file has lone ``\\r`` line ends (which a count of ``\\n`` would not see)."""
    newlines = carriage_returns = crlf = 0
    last = b""
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 24), b""):
            newlines += block.count(b"\n")
            carriage_returns += block.count(b"\r")
            crlf += block.count(b"\r\n") + (last == b"\r" and block[:1] == b"\n")
            last = block[-1:]
    if carriage_returns - crlf - (last == b"\r") > 0:
        return None
    return newlines - 1 + (0 if last == b"\n" else 1)


def stage_canonical_fast(con: duckdb.DuckDBPyConnection, fmt: Format, table: Table
                         ) -> Staged | None:
    """Stage a canonical CSV with DuckDB's reader; None when the file needs the careful path.

    Run outside the file's transaction: a reading error here must not abort it. A row's line is
    its position + 2, which holds only when every record is exactly one line: the rows DuckDB
    read are counted against the lines of the file, and any difference (a quoted field spanning
    lines, a blank line) sends the file down the careful path.
    """
    expected = _data_lines(table.path)
    if expected is None:
        return None
    names = {f"c{i}": "VARCHAR" for i in range(len(table.header))}
    try:
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {RAW} AS SELECT * FROM read_csv(?, header = true, "
            "auto_detect = false, columns = ?, delim = ',', quote = '\"', escape = '\"', "
            "strict_mode = true, null_padding = false, all_varchar = true)",
            [str(table.path), names],
        )
        rows = con.execute(f"SELECT count(*) FROM {RAW}").fetchone()[0]
    except duckdb.Error:
        con.execute(f"DROP TABLE IF EXISTS {RAW}")
        return None
    if rows != expected:
        con.execute(f"DROP TABLE IF EXISTS {RAW}")
        return None
    keys = header_keys(table.header)
    selected = ", ".join(
        f"c{keys[c]} AS {sql.quote_identifier(c)}" if c in keys
        else f"NULL::VARCHAR AS {sql.quote_identifier(c)}" for c in fmt.columns
    )
    # rows keep the order of the file (insertion order is preserved), so rowid + 2 is the line
    con.execute(f"CREATE OR REPLACE TEMP VIEW {STAGE} AS SELECT rowid + 2 AS _line, {selected} "
                f"FROM {RAW}")
    _Chunks(con, READ_REJECTS, _REJECT_COLUMNS)
    return Staged(rows_read=rows, ignored_columns=_ignored(table.header, fmt.columns))


def stage_posts(con: duckdb.DuckDBPyConnection, fmt: PostFormat, table: Table,
                ctx: Context) -> Staged:
    """Stage a platform's post export through its adapter, as canonical post rows."""
    staged = Staged(ignored_columns=_ignored(table.header, fmt.used_columns()))
    _stage_converted(con, fmt.rows(table, ctx, staged.skipped), POST_COLUMNS, staged)
    return staged


def stage_daily(con: duckdb.DuckDBPyConnection, fmt: DailyFormat, table: Table,
                ctx: Context) -> Staged:
    """Stage an account-level daily export: one ``_daily_stage`` row per line and metric."""
    metrics = fmt.metric_columns(table.header, ctx)
    staged = Staged(ignored_columns=[h for i, h in enumerate(table.header)
                                     if i not in metrics and header_keys([h]) != {fmt.day: 0}])
    stage = _Chunks(con, DAILY, {"_line": pa.int64(), "day": pa.date32(),
                                 "metric": pa.string(), "value": pa.int64()})
    rejects = _Chunks(con, READ_REJECTS, _REJECT_COLUMNS)
    for line, day, values, column, reason in fmt.rows(table, ctx, staged.skipped):
        staged.rows_read += 1
        if values is None or day is None:
            rejects.add((line, column, reason))
            continue
        for metric, value in values.items():
            stage.add((line, date.fromisoformat(day), metric, value))
    stage.flush()
    rejects.flush()
    return staged
