"""Property tests: whatever bytes or CSV a user feeds the ingest, it never crashes with a
traceback, every row read is kept or rejected, and a refused file leaves the warehouse as it
was."""

from __future__ import annotations

import csv
import io
import os
import tempfile
from datetime import date
from pathlib import Path

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ingest_helpers import snapshot

from analytics import AnalyticsError, warehouse
from analytics.cli import cli
from analytics.ingest import FORMATS, ingest_paths
from analytics.ingest.formats import normalise_column

SETTINGS = settings(max_examples=int(os.environ.get("INGEST_EXAMPLES", "60")), deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])

#: Real column names of every format, as exports spell them (roughly: words, capitalised).
KNOWN_COLUMNS = sorted({name.replace("_", " ").title()
                        for f in FORMATS for name in f.columns})
CELLS = st.one_of(
    st.text(max_size=12),
    st.integers(-10, 10**7).map(str),
    st.integers(0, 10**6).map(str),
    st.sampled_from(["1,234", "1.2K", "--", "-", "N/A", "undefined", "", "12.5", "1e3",
                     "2026-11-20T10:00:00Z", "2026-02-30", "April 12", "12 de abril",
                     "09/20/2025 17:00", "Tue, Jul 14, 2026", "Jan 8, 2025", "Total",
                     "Lifetime", "acme", "x", "instagram", "https://x.com/acme/status/1",
                     "https://www.tiktok.com/@acme/video/123", '"', "\n", "sep=,"]),
)


DATES = st.sampled_from([
    "2026-11-20T10:00:00Z", "2026-11-20", "09/20/2025 17:00", "Tue, Jul 14, 2026",
    "Jan 8, 2025", "3-Jun-26", "April 12", "12 de abril", "2021-11-30 16:00 +0000",
    "01/19/2017 09:03:47 AM", "03/14/2025", "2025-09-20T00:00:00", "2026-02-30",
])
COUNT_WORDS = ("views", "likes", "shares", "comments", "clicks", "reach", "impressions",
               "reactions", "retweets", "replies", "reposts", "followers", "primary", "total",
               "favorites")


def _cell(column: str) -> st.SearchStrategy[str]:
    """Mostly plausible values for the column, so that rows are kept as well as rejected."""
    key = normalise_column(column)
    if any(word in key for word in ("date", "time", "posted", "published")):
        return st.one_of(DATES, DATES, CELLS)
    if any(word in key for word in COUNT_WORDS):
        return st.one_of(*[st.integers(0, 10**6).map(str)] * 4, CELLS)
    if key in ("platform",):
        return st.sampled_from(["x", "instagram", "tiktok", "myspace", ""])
    if key in ("business_id",):
        return st.sampled_from(["acme", "acme", "nobody", ""])
    return st.one_of(st.integers(1, 10**6).map(str), CELLS)


@st.composite
def csv_files(draw):
    """A CSV that may look like any known format: a header mixing known and random columns,
    rows of plausible and implausible cells, maybe a preamble, in one of three encodings."""
    fmt = draw(st.sampled_from(FORMATS))
    required = [c if isinstance(c, str) else draw(st.sampled_from(c)) for c in fmt.required]
    if draw(st.integers(0, 5)) == 0:  # now and then a required column is missing
        required.pop(draw(st.integers(0, len(required) - 1)))
    extra = draw(st.lists(st.sampled_from(list(fmt.optional) + KNOWN_COLUMNS), max_size=4))
    extra += draw(st.lists(st.text(min_size=1, max_size=8), max_size=2))
    columns = list({normalise_column(c) or c: c.replace("_", " ").title()
                    for c in draw(st.permutations(required + extra))}.values())
    cells = st.tuples(*(_cell(c) for c in columns)).map(list)
    rows = draw(st.lists(st.one_of(cells, cells, cells, st.lists(CELLS, max_size=len(columns) + 1)),
                         max_size=8))
    buffer = io.StringIO()
    for line in draw(st.lists(st.sampled_from(["sep=,", '"Views"', "All dates are in UTC"]),
                              max_size=2)):
        buffer.write(line + "\n")
    writer = csv.writer(buffer, quoting=draw(st.sampled_from([csv.QUOTE_MINIMAL,
                                                              csv.QUOTE_ALL])))
    writer.writerow(columns)
    writer.writerows(rows)
    text = buffer.getvalue()
    if draw(st.booleans()):
        text = text[: draw(st.integers(0, len(text)))]  # cut short
    return text.encode(draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16"])))


def _ingest_bytes(con, data: bytes, folder: Path, name: str, **options) -> list:
    """Ingest ``data`` as file ``name``; returns the file results ([] when refused up front)."""
    path = folder / name
    path.write_bytes(data)
    try:
        return ingest_paths(con, [path], rejects_dir=folder / "rejects",
                            today=date(2026, 11, 30), **options)
    except AnalyticsError:  # refused before anything was written (business, year…)
        return []


def _rejects_lines(result) -> int:
    """Rows in the rejects file of a result (header excluded)."""
    if result.rejects_file is None or not result.rejects_file.exists():
        return 0
    with open(result.rejects_file, newline="", encoding="utf-8") as handle:
        return sum(1 for _ in csv.reader(handle)) - 1


@SETTINGS
@given(data=st.binary(max_size=400), name=st.sampled_from(["a.csv", "b.xlsx", "c.parquet"]))
def test_random_bytes_never_crash_and_change_nothing(fresh_db, data, name):
    # the business exists, so a file that happens to be recognised goes on past planning
    # into the adapters and the checks
    fresh_db.execute("INSERT OR IGNORE INTO businesses (business_id, name, timezone, recipients)"
                     " VALUES ('acme', 'Acme', 'UTC', [])")
    before = snapshot(fresh_db)
    with tempfile.TemporaryDirectory() as folder:
        results = _ingest_bytes(fresh_db, data, Path(folder), name, business="acme")
    kept = sum(r.kept for r in results if not r.error)
    # a refused file changes nothing; one that happened to parse keeps what it counted
    assert snapshot(fresh_db) == before or kept > 0
    for r in results:
        assert r.error or r.read == r.kept + r.rejected, r


@SETTINGS
@given(data=csv_files(), year=st.sampled_from([None, 2025]))
def test_random_csvs_keep_or_reject_every_row(fresh_db, data, year):
    fresh_db.execute("INSERT OR IGNORE INTO businesses (business_id, name, timezone, recipients)"
                     " VALUES ('acme', 'Acme', 'UTC', [])")
    before = snapshot(fresh_db)
    posts_before = fresh_db.execute("SELECT count(*) FROM content").fetchone()[0]
    with tempfile.TemporaryDirectory() as folder:
        results = _ingest_bytes(fresh_db, data, Path(folder), "export.csv", business="acme",
                                year=year)
        for r in results:
            if r.error:
                continue
            # every row read is kept or rejected, and every rejected row is in the rejects file
            assert r.read == r.kept + r.rejected, r
            assert _rejects_lines(r) == r.rejected, r
    if not results or all(r.error for r in results):
        assert snapshot(fresh_db) == before  # refused whole: nothing written
    new_posts = fresh_db.execute("SELECT count(*) FROM content").fetchone()[0] - posts_before
    assert new_posts <= sum(r.inserted for r in results if not r.error)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.one_of(st.binary(max_size=300), csv_files()))
def test_the_command_answers_in_one_line_not_a_traceback(tmp_path, data):
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "w.duckdb"
        warehouse.connect(db).close()
        path = Path(folder) / "export.csv"
        path.write_bytes(data)
        result = CliRunner().invoke(cli, ["ingest", str(path), "--db", str(db),
                                          "--business", "acme", "--year", "2025"])
        assert result.exit_code in (0, 1), result.output
        assert result.exception is None or isinstance(result.exception, SystemExit), (
            result.exception)
        assert "Traceback" not in result.output
