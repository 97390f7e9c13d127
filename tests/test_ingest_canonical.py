"""Canonical import: good rows load, bad rows are rejected with line, column and reason,
re-ingesting changes nothing, and a refused file leaves the warehouse as it was."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analytics.cli import cli
from analytics.ingest import ingest_paths
from conftest import BUSINESS_COLUMNS, POST_COLUMNS, post, write_csv

BUSINESSES = [
    {"business_id": "acme", "name": "Acme", "timezone": "Europe/London",
     "recipients": "a@acme.example; b@acme.example"},
    {"business_id": "beta", "name": "Beta", "timezone": "America/New_York", "recipients": ""},
]


def ingest(con, *paths: Path, tmp_path: Path):
    return ingest_paths(con, paths, observed_on=date(2026, 11, 30),
                        rejects_dir=tmp_path / "rejects")


def snapshot(con: duckdb.DuckDBPyConnection) -> tuple:
    """Everything the warehouse holds about posts and businesses."""
    return tuple(
        con.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall()
        for table in ("businesses", "content", "content_metrics")
    )


@pytest.fixture
def with_businesses(fresh_db, tmp_path):
    (result,) = ingest(fresh_db, write_csv(tmp_path / "b.csv", BUSINESS_COLUMNS, BUSINESSES),
                       tmp_path=tmp_path)
    assert (result.read, result.inserted, result.rejected) == (2, 2, 0)
    return fresh_db


def test_businesses_load_with_their_recipients(with_businesses) -> None:
    rows = with_businesses.execute(
        "SELECT business_id, timezone, recipients FROM businesses ORDER BY 1").fetchall()
    assert rows == [("acme", "Europe/London", ["a@acme.example", "b@acme.example"]),
                    ("beta", "America/New_York", [])]


def test_bad_business_rows_are_rejected_with_reasons(fresh_db, tmp_path) -> None:
    path = write_csv(tmp_path / "b.csv", BUSINESS_COLUMNS, [
        {"business_id": "ok", "name": "OK"},
        {"business_id": "Not OK", "name": "x"},
        {"business_id": "tz", "name": "TZ", "timezone": "Mars/Base"},
        {"business_id": "inj", "name": "Evil\nBcc: victim@example.com"},
        {"business_id": "mail", "name": "Mail", "recipients": "good@x.example;not-an-address"},
    ])
    (result,) = ingest(fresh_db, path, tmp_path=tmp_path)
    # a bad recipient costs only that address: the row is kept (tests/test_ingest_recipients.py)
    assert (result.read, result.inserted, result.rejected, result.refused) == (5, 2, 3, 1)
    assert [(line, column) for line, column, _ in result.rejects] == [
        (3, "business_id"), (4, "timezone"), (5, "name"), (7, "recipients")]
    reasons = [reason for *_, reason in result.rejects]
    assert "'Mars/Base' is not an IANA timezone" in reasons[1]
    assert "line break" in reasons[2]
    assert "'not-an-address' is not an email address" in reasons[3]
    # the name with a newline spans two lines: the next record starts on line 7
    with open(result.rejects_file, newline="") as handle:
        written = list(csv.DictReader(handle))
    assert [r["line"] for r in written] == ["3", "4", "5", "7"]
    assert written[0]["file"] == str(path)


def test_good_posts_load_and_bad_ones_are_rejected_with_line_column_reason(
    with_businesses, tmp_path
) -> None:
    rows = [
        post("acme", "Instagram", "p1", "2026-11-20T18:30:00+01:00", views=1_000, likes=30,
             reach=800, content_type="Photo", title='He said "hi", then\nleft'),
        post("acme", "x", "t1", "2026-11-21 09:00", views="1,234", likes=10),
        post("acme", "x", "neg", "2026-11-21", views=-5, likes=1),
        post("acme", "x", "text", "2026-11-21", views="lots", likes=1),
        post("acme", "x", "blank", "2026-11-21", views="", likes=1),
        post("acme", "x", "date", "2026-02-30T10:00:00Z", views=5, likes=1),
        post("acme", "myspace", "m", "2026-11-21", views=5),
        post("nobody", "x", "n", "2026-11-21", views=5),
        post("acme", "x", "early", "2026-11-21", views=5, observed_on="2026-11-01"),
        post("acme", "x", "dup", "2026-11-21", views=5, likes=1),
        post("acme", "x", "dup", "2026-11-21", views=6, likes=2),
        post("acme", "x", "reach", "2026-11-21", views=6, reach="1.5"),
    ]
    path = write_csv(tmp_path / "posts.csv", POST_COLUMNS, rows)
    (result,) = ingest(with_businesses, path, tmp_path=tmp_path)
    assert result.read == 12
    assert result.read == result.kept + result.rejected
    assert (result.inserted, result.rejected) == (3, 9)
    # line 2 is p1, whose title holds a line break: every later record starts one line lower
    assert [(line, column, reason) for line, column, reason in result.rejects] == [
        (5, "views", "is negative: '-5'"),
        (6, "views", "is not a number: 'lots'"),  # the adapters' words: one grammar
        (7, "views", "is blank"),
        (8, "published_at", "'2026-02-30T10:00:00Z' is not an ISO 8601 date-time such as "
                            "2026-11-20T18:30:00+01:00"),
        (9, "platform", "unknown platform 'myspace' (expected one of x, facebook, instagram, "
                        "linkedin, tiktok, youtube)"),
        (10, "business_id", "unknown business 'nobody'; ingest a businesses file that defines "
                            "it first"),
        (11, "observed_on", "is 2026-11-01, before the post was published (2026-11-21)"),
        (12, "content_id", "repeats the observation of line 13 (same platform, content_id and "
                           "observed_on); the later line is kept"),
        (14, "reach", "is not a whole number: '1.5'"),
    ]
    content = with_businesses.execute(
        "SELECT platform, content_id, content_type, published_at, title, published_time_known "
        "FROM content ORDER BY 1, 2").fetchall()
    assert [(r[0], r[1], r[2]) for r in content] == [("instagram", "p1", "image"),
                                                      ("x", "dup", "image"), ("x", "t1", "image")]
    assert content[0][3].isoformat() == "2026-11-20T17:30:00+00:00"
    assert content[0][4] == 'He said "hi", then\nleft'
    assert content[1][5] is False  # a bare date: no hour
    counters = with_businesses.execute(
        "SELECT content_id, views, reach, likes, observed_on FROM content_metrics ORDER BY 1"
    ).fetchall()
    assert counters == [("dup", 6, None, 2, date(2026, 11, 30)),
                        ("p1", 1_000, 800, 30, date(2026, 11, 30)),
                        ("t1", 1_234, None, 10, date(2026, 11, 30))]


def test_reingesting_the_same_file_changes_nothing(with_businesses, tmp_path) -> None:
    path = write_csv(tmp_path / "posts.csv", POST_COLUMNS, [
        post("acme", "x", "a", "2026-11-21T09:00:00Z", views=100, likes=5),
        post("acme", "x", "b", "2026-11-21T10:00:00Z", views=200, likes=6),
    ])
    (first,) = ingest(with_businesses, path, tmp_path=tmp_path)
    before = snapshot(with_businesses)
    (second,) = ingest(with_businesses, path, tmp_path=tmp_path)
    assert (first.inserted, second.inserted, second.updated, second.unchanged) == (2, 0, 0, 2)
    assert snapshot(with_businesses) == before


def test_a_later_export_adds_an_observation_and_never_duplicates_the_post(
    with_businesses, tmp_path
) -> None:
    week1 = write_csv(tmp_path / "w1.csv", POST_COLUMNS, [
        post("acme", "x", "a", "2026-11-21T09:00:00Z", views=100, likes=5,
             observed_on="2026-11-22")])
    week2 = write_csv(tmp_path / "w2.csv", POST_COLUMNS, [
        post("acme", "x", "a", "2026-11-21T09:00:00Z", views=400, likes=9,
             observed_on="2026-11-29", title="edited title")])
    fixed = write_csv(tmp_path / "w2b.csv", POST_COLUMNS, [
        post("acme", "x", "a", "2026-11-21T09:00:00Z", views=450, likes=9,
             observed_on="2026-11-29", title="edited title")])
    results = ingest(with_businesses, week1, week2, fixed, tmp_path=tmp_path)
    assert [(r.inserted, r.updated, r.unchanged) for r in results] == [(1, 0, 0), (1, 0, 0),
                                                                      (0, 1, 0)]
    assert with_businesses.execute("SELECT count(*), any_value(title) FROM content").fetchone() \
        == (1, "edited title")
    assert with_businesses.execute(
        "SELECT observed_on, views FROM content_metrics ORDER BY 1").fetchall() == [
        (date(2026, 11, 22), 100), (date(2026, 11, 29), 450)]


def test_a_post_of_another_business_is_refused(with_businesses, tmp_path) -> None:
    ingest(with_businesses, write_csv(tmp_path / "a.csv", POST_COLUMNS, [
        post("acme", "x", "shared", "2026-11-21T09:00:00Z", views=100)]), tmp_path=tmp_path)
    (result,) = ingest(with_businesses, write_csv(tmp_path / "b.csv", POST_COLUMNS, [
        post("beta", "x", "shared", "2026-11-21T09:00:00Z", views=999)]), tmp_path=tmp_path)
    assert result.rejects == [(2, "business_id",
                               "post x/shared belongs to business 'acme', not 'beta'")]
    assert with_businesses.execute("SELECT views FROM content_metrics").fetchall() == [(100,)]


def test_parquet_files_load_like_csv(with_businesses, tmp_path) -> None:
    rows = [post("acme", "tiktok", "v1", "2026-11-21T09:00:00Z", views=300, likes=3, reach=200),
            post("acme", "tiktok", "v2", "2026-11-21T09:00:00Z", views=-1)]
    table = pa.table({c: [str(r[c]) for r in rows] for c in POST_COLUMNS})
    path = tmp_path / "posts.parquet"
    pq.write_table(table, path)
    (result,) = ingest(with_businesses, path, tmp_path=tmp_path)
    assert (result.format, result.read, result.inserted, result.rejected) == (
        "canonical-posts", 2, 1, 1)
    assert result.rejects == [(2, "views", "is negative: '-1'")]  # "line" = row number


def test_a_file_in_no_known_format_is_refused_and_changes_nothing(with_businesses,
                                                                  tmp_path) -> None:
    before = snapshot(with_businesses)
    path = tmp_path / "mystery.csv"
    path.write_text("id,headline,impressions\n1,hello,5\n")
    (result,) = ingest(with_businesses, path, tmp_path=tmp_path)
    assert result.error is not None
    assert "not a format analytics knows" in result.error
    assert "business_id, platform, content_id" in result.error  # what it expected
    assert snapshot(with_businesses) == before


def test_a_file_that_is_not_utf8_is_refused_whole(with_businesses, tmp_path) -> None:
    before = snapshot(with_businesses)
    path = write_csv(tmp_path / "posts.csv", POST_COLUMNS, [
        post("acme", "x", "a", "2026-11-21T09:00:00Z", views=100)])
    path.write_bytes(path.read_bytes() + b"acme,x,b,text,2026-11-21,caf\xe9\n")
    (result,) = ingest(with_businesses, path, tmp_path=tmp_path)
    assert "is not valid UTF-8" in result.error and "line 3" in result.error
    assert snapshot(with_businesses) == before


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cells=st.lists(
    st.tuples(st.sampled_from(["acme", "beta", "nobody", "", "ACME"]),
              st.sampled_from(["x", "tiktok", "", "myspace"]),
              st.sampled_from(["a", "b", "c", ""]),
              st.sampled_from(["2026-11-21T09:00:00Z", "2026-11-21", "yesterday", ""]),
              st.sampled_from(["0", "12", "1,234", "-3", "1.5", "", "N/A", "99999999999"]),
              st.sampled_from(["2026-11-30", "2026-11-01", "", "30/11/2026"])),
    max_size=15,
))
def test_read_always_equals_kept_plus_rejected(with_businesses, tmp_path, cells) -> None:
    rows = [post(b, p, c, when, views=v, likes=v, observed_on=obs)
            for b, p, c, when, v, obs in cells]
    path = write_csv(tmp_path / "random.csv", POST_COLUMNS, rows)
    (result,) = ingest(with_businesses, path, tmp_path=tmp_path)
    assert result.error is None
    assert result.read == len(rows) == result.kept + result.rejected
    assert all(line >= 2 and reason for line, _, reason in result.rejects)


def test_cli_ingest_prints_a_summary_and_strict_fails_on_rejects(tmp_path) -> None:
    db = tmp_path / "w.duckdb"
    businesses = write_csv(tmp_path / "in" / "b.csv", BUSINESS_COLUMNS, BUSINESSES)
    posts = write_csv(tmp_path / "in" / "p.csv", POST_COLUMNS, [
        post("acme", "x", "a", "2026-11-21T09:00:00Z", views=100),
        post("acme", "x", "b", "2026-11-21T09:00:00Z", views=-1)])
    runner = CliRunner()
    result = runner.invoke(cli, ["ingest", "--db", str(db), str(tmp_path / "in")])
    assert result.exit_code == 0, result.output
    assert "canonical-businesses" in result.output and "canonical-posts" in result.output
    assert "1 rejected, e.g. line 3 column views: is negative: '-1'" in result.output
    strict = runner.invoke(cli, ["ingest", "--db", str(db), "--strict", str(posts),
                                 str(businesses)])
    assert strict.exit_code == 1
    assert "error: 1 rows rejected (--strict)" in strict.output


def test_impossible_offsets_and_far_future_dates_are_rejected(with_businesses, tmp_path) -> None:
    path = write_csv(tmp_path / "posts.csv", POST_COLUMNS, [
        post("acme", "x", "ok", "2026-11-21T09:00:00+14:00", views=10),
        post("acme", "x", "offset", "2026-11-21T09:00:00+25:00", views=10),
        post("acme", "x", "future", "9999-12-31T09:00:00Z", views=10, observed_on="9999-12-31"),
        post("acme", "x", "observed", "2026-11-21T09:00:00Z", views=10, observed_on="9999-12-31"),
    ])
    (result,) = ingest(with_businesses, path, tmp_path=tmp_path)
    assert [(line, column) for line, column, _ in result.rejects] == [
        (3, "published_at"), (4, "published_at"), (5, "observed_on")]
    assert result.inserted == 1


def test_a_businesses_file_may_say_the_cadence(fresh_db, tmp_path) -> None:
    path = tmp_path / "b.csv"
    path.write_text("business_id,name,cadence\nweekly-co,W,\nmonthly-co,M,Monthly\n"
                    "daily-co,D,daily\n", encoding="utf-8")
    (result,) = ingest(fresh_db, path, tmp_path=tmp_path)
    assert (result.read, result.inserted, result.rejected) == (3, 2, 1)
    assert result.rejects[0][1:] == ("cadence", "'daily' is not a cadence (weekly or monthly)")
    assert fresh_db.execute("SELECT business_id, cadence FROM businesses ORDER BY 1"
                            ).fetchall() == [("monthly-co", "monthly"), ("weekly-co", "weekly")]
    # a file without the column leaves a business's cadence as it was; one that says changes it
    older = write_csv(tmp_path / "older.csv", ("business_id", "name"),
                      [{"business_id": "monthly-co", "name": "M"}])
    (same,) = ingest(fresh_db, older, tmp_path=tmp_path)
    assert (same.unchanged, same.updated) == (1, 0)
    again = tmp_path / "again.csv"
    again.write_text("business_id,name,cadence\nmonthly-co,M,weekly\n", encoding="utf-8")
    (changed,) = ingest(fresh_db, again, tmp_path=tmp_path)
    assert changed.updated == 1
    assert fresh_db.execute("SELECT cadence FROM businesses WHERE business_id = 'monthly-co'"
                            ).fetchone() == ("weekly",)
