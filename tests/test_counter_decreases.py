"""Counters that go down between two observations (likes 40 → 0) are kept, and reported in
the ingest summary and a decreases log beside the rejects (issue 10, item 2)."""

from __future__ import annotations

import csv
from datetime import date

from click.testing import CliRunner
from ingest_helpers import add_business, one, run

from analytics.cli import cli
from analytics.ingest.load import Decrease
from analytics.report import build_report
from conftest import BUSINESS_COLUMNS, POST_COLUMNS, post, write_csv

PUBLISHED = "2026-11-20T10:00:00Z"


def observation(day: str, likes: int, views: int = 1000, content_id: str = "p1") -> dict:
    return post("acme", "x", content_id, PUBLISHED, views=views, likes=likes, shares=2,
                comments=3, clicks=4, observed_on=day)


def test_a_later_lower_observation_is_kept_and_reported(fresh_db, tmp_path) -> None:
    add_business(fresh_db, "acme")
    first = write_csv(tmp_path / "a.csv", POST_COLUMNS, [observation("2026-11-23", 40),
                                                         observation("2026-11-23", 5,
                                                                     content_id="p2")])
    second = write_csv(tmp_path / "b.csv", POST_COLUMNS, [observation("2026-11-30", 0),
                                                          observation("2026-11-30", 6,
                                                                      content_id="p2")])
    assert one(run(fresh_db, [first], tmp_path)).decreased == 0
    result = one(run(fresh_db, [second], tmp_path))
    assert (result.inserted, result.rejected, result.decreased) == (2, 0, 1)
    assert result.decreases == [Decrease(2, "x", "p1", "likes", date(2026, 11, 23), 40,
                                         date(2026, 11, 30), 0)]
    with open(result.decreases_file, newline="", encoding="utf-8") as handle:
        assert list(csv.reader(handle)) == [
            ["file", "line", "platform", "content_id", "counter", "before_day", "before",
             "after_day", "after"],
            [str(second), "2", "x", "p1", "likes", "2026-11-23", "40", "2026-11-30", "0"]]
    # both observations stay; the report as of the later day takes the later one, as data
    assert fresh_db.execute("SELECT observed_on, likes FROM content_metrics WHERE content_id = "
                            "'p1' ORDER BY 1").fetchall() == [(date(2026, 11, 23), 40),
                                                             (date(2026, 11, 30), 0)]
    report = build_report(fresh_db, "acme", "2026-W47", date(2026, 12, 1))
    # by hand: p1 0 + 2 + 3, p2 6 + 2 + 3 = 16 engagement on 2,000 views
    assert (report.overview.current.engagement, report.overview.current.views) == (16, 2000)
    # re-ingesting changes nothing and reports nothing again
    again = one(run(fresh_db, [second], tmp_path))
    assert (again.unchanged, again.decreased, again.decreases_file) == (2, 0, None)


def test_an_older_higher_observation_ingested_later_is_reported_too(fresh_db, tmp_path) -> None:
    add_business(fresh_db, "acme")
    later = write_csv(tmp_path / "later.csv", POST_COLUMNS, [observation("2026-11-30", 10)])
    earlier = write_csv(tmp_path / "earlier.csv", POST_COLUMNS,
                        [observation("2026-11-23", 40, views=1200)])
    one(run(fresh_db, [later], tmp_path))
    result = one(run(fresh_db, [earlier], tmp_path))
    assert [(d.counter, d.before, d.after) for d in result.decreases] == [
        ("views", 1200, 1000), ("likes", 40, 10)]
    assert {d.line for d in result.decreases} == {2}


def test_within_one_file_and_in_the_cli_summary(tmp_path) -> None:
    businesses = write_csv(tmp_path / "b.csv", BUSINESS_COLUMNS,
                           [{"business_id": "acme", "name": "Acme", "timezone": "UTC"}])
    posts = write_csv(tmp_path / "posts.csv", POST_COLUMNS, [
        observation("2026-11-23", 40), observation("2026-11-30", 0),
        observation("2026-12-07", 2)])
    result = CliRunner().invoke(cli, ["ingest", str(businesses), str(posts), "--db",
                                      str(tmp_path / "w.duckdb")])
    assert result.exit_code == 0, result.output
    assert ("1 counter went down since an earlier observation (kept), e.g. line 3: x/p1 "
            "likes 40 on 2026-11-23 → 0 on 2026-11-30") in result.output
    (log,) = (tmp_path / "rejects").glob("*-decreases.csv")
    assert f"all decreases: {log}" in result.output
    assert not list((tmp_path / "rejects").glob("*.tmp"))


def test_two_files_in_one_run_each_report_their_own(fresh_db, tmp_path) -> None:
    add_business(fresh_db, "acme")
    first = write_csv(tmp_path / "a.csv", POST_COLUMNS, [observation("2026-11-23", 40),
                                                         observation("2026-11-30", 10)])
    second = write_csv(tmp_path / "b.csv", POST_COLUMNS, [observation("2026-12-07", 5)])
    a, b = run(fresh_db, [first, second], tmp_path)
    assert [(d.before, d.after) for d in a.decreases] == [(40, 10)]
    assert [(d.before, d.after) for d in b.decreases] == [(10, 5)]  # not 40 → 10 again
