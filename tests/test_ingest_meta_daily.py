"""Meta page-level daily files: a metric file in UTF-16 (``Views.csv``) and the follower
history, whose dates have no year."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from ingest_helpers import add_business, one, run, snapshot, write

from analytics.ingest import PlanError


def _views_rows(path):
    text = path.read_bytes().decode("utf-16")
    lines = text.splitlines()[2:]  # sep=, and the metric's name
    return list(csv.DictReader(io.StringIO("\n".join(lines))))


def test_views_file_in_utf16_goes_to_account_metrics(fresh_db, tmp_path, exports):
    add_business(fresh_db, "pcm")
    path = exports / "meta" / "Views.csv"
    rows = _views_rows(path)
    result = one(run(fresh_db, [path], tmp_path, business="pcm"))
    assert (result.format, result.read, result.inserted, result.rejected) == (
        "meta-daily-metric", len(rows), len(rows), 0)
    got = fresh_db.execute(
        "SELECT metric, platform, count(*), sum(value), min(day), max(day) FROM account_metrics "
        "GROUP BY ALL").fetchall()
    assert got == [("views", "facebook", len(rows), sum(int(r["Primary"]) for r in rows),
                    date.fromisoformat(rows[0]["Date"][:10]),
                    date.fromisoformat(rows[-1]["Date"][:10]))]
    # by hand: 28 days from 20 September to 17 October 2025, 712,987 views; 29,146 on the first
    assert got[0][2:4] == (28, 712_987)
    assert fresh_db.execute("SELECT value FROM account_metrics WHERE day = '2025-09-20'"
                            ).fetchone()[0] == 29_146
    # the post tables are untouched
    assert fresh_db.execute("SELECT count(*) FROM content_metrics").fetchone()[0] == 0


def test_platform_option_files_it_under_instagram(fresh_db, tmp_path, exports):
    add_business(fresh_db, "pcm")
    run(fresh_db, [exports / "meta" / "Views.csv"], tmp_path, business="pcm",
        platform="instagram")
    assert fresh_db.execute("SELECT DISTINCT platform FROM account_metrics").fetchall() == [
        ("instagram",)]


def test_follower_history_needs_a_year_and_gets_it(fresh_db, tmp_path, exports):
    add_business(fresh_db, "pcm")
    path = exports / "meta" / "FollowerHistory.csv"
    before = snapshot(fresh_db)
    with pytest.raises(PlanError, match=r"no year \('August 18'\).*--year"):
        run(fresh_db, [path], tmp_path, business="pcm")
    assert snapshot(fresh_db) == before
    result = one(run(fresh_db, [path], tmp_path, business="pcm", year=2025))
    assert (result.read, result.inserted, result.rejected) == (60, 60, 0)
    assert result.ignored_columns == ["Difference in followers from previous day"]
    got = fresh_db.execute(
        "SELECT count(*), min(day), max(day), arg_max(followers, day), max(followers) "
        "FROM followers WHERE business_id = 'pcm' AND platform = 'facebook'").fetchone()
    # by hand: 18 August to 16 October 2025; 22,788 on the last day, 22,863 at the peak
    assert got == (60, date(2025, 8, 18), date(2025, 10, 16), 22_788, 22_863)


def test_follower_history_crossing_new_year_with_a_period_in_its_name(fresh_db, tmp_path):
    add_business(fresh_db, "cafe")
    path = write(tmp_path / "FollowerHistory_2025-12-30_2026-01-02.csv",
                 '"Date","Followers","Difference in followers from previous day"\n'
                 '"December 30","100","1"\n"December 31","101","1"\n"January 1","102","0"\n'
                 '"January 2","102","0"\n', "utf-8-sig")
    one(run(fresh_db, [path], tmp_path, business="cafe"))
    days = [r[0] for r in fresh_db.execute("SELECT day FROM followers ORDER BY day").fetchall()]
    assert days == [date(2025, 12, 30), date(2025, 12, 31), date(2026, 1, 1), date(2026, 1, 2)]


def test_follower_history_crossing_new_year_with_the_year_option(fresh_db, tmp_path):
    add_business(fresh_db, "cafe")
    path = write(tmp_path / "FollowerHistory.csv",
                 '"Date","Followers"\n"December 31","101"\n"January 1","102"\n')
    one(run(fresh_db, [path], tmp_path, business="cafe", year=2025))
    days = [r[0] for r in fresh_db.execute("SELECT day FROM followers ORDER BY day").fetchall()]
    assert days == [date(2025, 12, 31), date(2026, 1, 1)]


def test_a_later_export_updates_a_day_and_the_same_one_changes_nothing(fresh_db, tmp_path):
    add_business(fresh_db, "cafe")
    header = 'sep=,\n"Reach"\n"Date","Primary"\n'
    first = write(tmp_path / "a" / "Reach.csv",
                  header + '"2025-09-01T00:00:00","10"\n"2025-09-02T00:00:00","12"\n', "utf-16")
    later = write(tmp_path / "b" / "Reach.csv",
                  header + '"2025-09-02T00:00:00","13"\n"2025-09-03T00:00:00",""\n'
                  '"2025-09-04T00:00:00","5",\n', "utf-16")
    one(run(fresh_db, [first], tmp_path, business="cafe"))
    again = one(run(fresh_db, [first], tmp_path, business="cafe"))
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 2)
    result = one(run(fresh_db, [later], tmp_path, business="cafe"))
    # line 6 has three fields where the header has two: rejected, the rest kept; a blank value
    # is kept as missing
    assert (result.read, result.updated, result.inserted, result.rejected) == (3, 1, 1, 1)
    assert result.rejects[0][0] == 6
    values = fresh_db.execute("SELECT metric, day, value FROM account_metrics ORDER BY day"
                              ).fetchall()
    assert values == [("reach", date(2025, 9, 1), 10), ("reach", date(2025, 9, 2), 13),
                      ("reach", date(2025, 9, 3), None)]
