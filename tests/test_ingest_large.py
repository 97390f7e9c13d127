"""Large canonical files: DuckDB reads them (CSV fast path, Parquet in place) and every reject
still names its exact line, as the row-by-row path would."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from ingest_helpers import add_business, one, run

from analytics.ingest import read
from analytics.ingest.registry import FORMATS
from analytics.ingest.tables import open_tables
from conftest import POST_COLUMNS

ROWS = 120_000
BAD_EVERY = 9_973  # rows whose views are negative: rejected, at known lines


def rows(title=lambda i: "a, title"):
    for i in range(ROWS):
        views = -1 if i % BAD_EVERY == 0 else i
        yield ("acme", "x", f"p{i}", "text", "2026-11-01T10:00:00Z", title(i), "",
               "2026-11-30", str(views), "", "1", "2", "3", "4")


def write_csv(path, title=lambda i: "a, title"):
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write(",".join(POST_COLUMNS) + "\n")
        for row in rows(title):
            handle.write(",".join(f'"{v}"' if "," in v or "\n" in v else v for v in row) + "\n")
    return path


def fast_path_taken(con, path):
    with open_tables(path, FORMATS) as opened:
        table = opened.tables[0]
        staged = read.stage_canonical_fast(con, table.format, table) \
            if read.fast_path_applies(table) else None
    read.drop_scratch(con)
    return staged is not None


def test_fast_path_keeps_exact_line_numbers(fresh_db, tmp_path):
    add_business(fresh_db, "acme")
    path = write_csv(tmp_path / "posts.csv")
    assert fast_path_taken(fresh_db, path)
    result = one(run(fresh_db, [path], tmp_path))
    bad = [i for i in range(ROWS) if i % BAD_EVERY == 0]
    assert (result.read, result.inserted, result.rejected) == (ROWS, ROWS - len(bad), len(bad))
    # row i is on line i + 2 (the header is line 1)
    assert [r[0] for r in result.rejects] == [i + 2 for i in bad]
    assert {r[1:] for r in result.rejects} == {("views", "is negative: '-1'")}


def test_a_field_spanning_lines_takes_the_careful_path_with_the_same_care(fresh_db, tmp_path):
    add_business(fresh_db, "acme")
    # row 5's title holds a line break: every later row starts one line further down
    path = write_csv(tmp_path / "posts.csv", title=lambda i: "two\nlines" if i == 5 else "t")
    assert not fast_path_taken(fresh_db, path)
    result = one(run(fresh_db, [path], tmp_path))
    bad = [i for i in range(ROWS) if i % BAD_EVERY == 0]
    assert [r[0] for r in result.rejects] == [i + 2 + (i > 5) for i in bad]
    assert fresh_db.execute("SELECT title FROM content WHERE content_id = 'p5'").fetchone() == (
        "two\nlines",)


@pytest.mark.parametrize("ending", [b"\r\n", b"\r"])
def test_other_line_ends(fresh_db, tmp_path, ending):
    add_business(fresh_db, "acme")
    path = tmp_path / "posts.csv"
    lines = [",".join(POST_COLUMNS).encode()] + [
        ",".join(r).encode() for r, _ in zip(rows(lambda i: "t"), range(20), strict=False)]
    path.write_bytes(ending.join(lines) + ending)
    result = one(run(fresh_db, [path], tmp_path))
    assert (result.read, result.rejected, result.rejects[0][0]) == (20, 1, 2)


def test_parquet_rows_are_numbered(fresh_db, tmp_path):
    add_business(fresh_db, "acme")
    data = list(zip(*rows(), strict=True))
    table = pa.table({c: pa.array(v) for c, v in zip(POST_COLUMNS, data, strict=True)})
    pq.write_table(table, tmp_path / "posts.parquet", row_group_size=25_000)
    result = one(run(fresh_db, [tmp_path / "posts.parquet"], tmp_path))
    bad = [i for i in range(ROWS) if i % BAD_EVERY == 0]
    assert (result.read, result.rejected) == (ROWS, len(bad))
    assert [r[0] for r in result.rejects] == [i + 1 for i in bad]  # row numbers from 1
