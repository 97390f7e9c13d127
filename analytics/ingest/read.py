"""Reading an input file into a staging table of strings, with the line each row came from.

Nothing is typed here: every value stays text so that validation can say exactly what was
wrong with it. CSV is streamed in chunks (bounded memory whatever the file size); Parquet is
read by DuckDB in place.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa

from analytics import AnalyticsError, sql
from analytics.ingest.formats import Format, detect

CHUNK_ROWS = 50_000
STAGE = "_stage"


@dataclass
class Staged:
    """What reading a file produced: its format, the rows staged, and rows refused on sight."""

    format: Format
    rows_read: int = 0
    #: (line, column, reason) of rows too broken to stage (wrong number of fields)
    rejects: list[tuple[int, str | None, str]] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)


class UnreadableFile(AnalyticsError):
    """The file cannot be read at all (encoding, empty, not CSV/Parquet)."""


def _create_stage(con: duckdb.DuckDBPyConnection, fmt: Format) -> None:
    columns = ", ".join(f"{sql.quote_identifier(c)} VARCHAR" for c in fmt.columns)
    con.execute(f"CREATE OR REPLACE TEMP TABLE {STAGE} (_line BIGINT, {columns})")


def stage(con: duckdb.DuckDBPyConnection, path: Path) -> Staged:
    """Detect the format of ``path`` and load its rows into the temp table ``_stage``."""
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        return _stage_parquet(con, path)
    if suffix in (".csv", ".txt", ""):
        return _stage_csv(con, path)
    raise UnreadableFile(f"{path}: only .csv and .parquet files can be ingested, not {suffix}")


def _open_text(path: Path) -> io.TextIOWrapper:
    return open(path, encoding="utf-8-sig", newline="")


def _csv_records(path: Path) -> Iterator[tuple[int, list[str]]]:
    """(first line number, fields) of each record; multi-line quoted fields are one record."""
    with _open_text(path) as handle:
        reader = csv.reader(handle)
        last_line = 0
        try:
            for fields in reader:
                start, last_line = last_line + 1, reader.line_num
                if fields:
                    yield start, fields
        except UnicodeDecodeError as exc:
            raise UnreadableFile(
                f"{path}: line {_first_undecodable_line(path)} is not valid UTF-8 "
                f"({exc.reason}); save the file as UTF-8 and ingest it again"
            ) from None
        except csv.Error as exc:
            raise UnreadableFile(f"{path}: line {reader.line_num}: {exc}") from None


def _first_undecodable_line(path: Path) -> int:
    """The number of the first line that is not UTF-8 (decoding reads ahead, so the error
    itself cannot say)."""
    with open(path, "rb") as handle:
        for number, raw in enumerate(handle, start=1):
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError:
                return number
    return 0


def read_header(path: Path) -> list[str]:
    """The column names of a CSV or Parquet file (for detection without reading the rows)."""
    if path.suffix.lower() == ".parquet":
        import pyarrow.parquet as pq

        try:
            return list(pq.read_schema(path).names)
        except (OSError, pa.ArrowException) as exc:
            raise UnreadableFile(f"{path}: not a readable Parquet file ({exc})") from None
    try:
        return next(_csv_records(path))[1]
    except StopIteration:
        raise UnreadableFile(f"{path}: the file is empty; expected a header line") from None


def _stage_csv(con: duckdb.DuckDBPyConnection, path: Path) -> Staged:
    records = _csv_records(path)
    try:
        _, header = next(records)
    except StopIteration:
        raise UnreadableFile(f"{path}: the file is empty; expected a header line") from None
    fmt, mapping = detect(header, str(path))
    position = {raw: i for i, raw in reversed(list(enumerate(header)))}
    indexes = {column: position[raw] for column, raw in mapping.items()}
    result = Staged(fmt, ignored_columns=[h for h in header if h not in mapping.values()])
    _create_stage(con, fmt)

    columns: dict[str, list] = {"_line": [], **{c: [] for c in fmt.columns}}

    def flush() -> None:
        if not columns["_line"]:
            return
        table = pa.table(
            {"_line": pa.array(columns["_line"], pa.int64())}
            | {c: pa.array(columns[c], pa.string()) for c in fmt.columns}
        )
        con.register("_chunk", table)
        con.execute(f"INSERT INTO {STAGE} SELECT * FROM _chunk")
        con.unregister("_chunk")
        for values in columns.values():
            values.clear()

    for line, fields in records:
        result.rows_read += 1
        if len(fields) != len(header):
            result.rejects.append(
                (line, None, f"has {len(fields)} fields where the header has {len(header)} "
                             "(a truncated or broken line?)")
            )
            continue
        columns["_line"].append(line)
        for column in fmt.columns:
            index = indexes.get(column)
            columns[column].append(None if index is None else fields[index])
        if len(columns["_line"]) >= CHUNK_ROWS:
            flush()
    flush()
    return result


def _stage_parquet(con: duckdb.DuckDBPyConnection, path: Path) -> Staged:
    try:
        described = con.execute(
            "SELECT column_name FROM (DESCRIBE SELECT * FROM read_parquet(?))", [str(path)]
        ).fetchall()
    except duckdb.Error as exc:
        raise UnreadableFile(f"{path}: not a readable Parquet file ({exc})") from None
    header = [r[0] for r in described]
    fmt, mapping = detect(header, str(path))
    _create_stage(con, fmt)
    selected = ", ".join(
        f"CAST({sql.quote_identifier(mapping[c])} AS VARCHAR)" if c in mapping else "NULL"
        for c in fmt.columns
    )
    con.execute(
        # Parquet has no lines: a row's "line" is its 1-based row number in the file
        f"INSERT INTO {STAGE} SELECT file_row_number + 1, {selected} "
        "FROM read_parquet(?, file_row_number = true)",
        [str(path)],
    )
    rows = con.execute(f"SELECT count(*) FROM {STAGE}").fetchone()[0]
    return Staged(fmt, rows_read=rows,
                  ignored_columns=[h for h in header if h not in mapping.values()])
