"""TikTok: the real account overview (dates without a year) and a generated content export
(localised day and month, ``undefined`` cells)."""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime

import pytest
from ingest_helpers import add_business, csv_dicts, one, run, snapshot, write

from analytics.ingest import PlanError
from analytics.ingest.mapping import AccountMap

METRICS = {"Video Views": "video_views", "Profile Views": "profile_views", "Likes": "likes",
           "Comments": "comments", "Shares": "shares"}


def test_overview_without_a_year_is_refused_before_anything_is_written(fresh_db, tmp_path,
                                                                       exports):
    add_business(fresh_db, "kiku")
    before = snapshot(fresh_db)
    with pytest.raises(PlanError, match=r"Overview.csv: its dates have no year \('April 12'\)"):
        run(fresh_db, [exports / "tiktok" / "Overview.csv"], tmp_path, business="kiku")
    assert snapshot(fresh_db) == before


def test_overview_with_the_year_option(fresh_db, tmp_path, exports):
    add_business(fresh_db, "kiku")
    path = exports / "tiktok" / "Overview.csv"
    rows = csv_dicts(path)
    result = one(run(fresh_db, [path], tmp_path, business="kiku", year=2025))
    assert (result.format, result.read, result.inserted, result.rejected) == (
        "tiktok-overview", len(rows), len(rows), 0)
    got = dict(fresh_db.execute(
        "SELECT metric, sum(value) FROM account_metrics GROUP BY 1").fetchall())
    assert got == {metric: sum(int(r[column]) for r in rows) for column, metric in METRICS.items()}
    # by hand: 7 days, 12 to 18 April; 7,919 video views and 51 likes
    assert (got["video_views"], got["likes"]) == (7_919, 51)
    days = fresh_db.execute("SELECT min(day), max(day), count(DISTINCT day) FROM account_metrics"
                            ).fetchone()
    assert days == (date(2025, 4, 12), date(2025, 4, 18), 7)


def test_overview_with_the_period_in_its_name(fresh_db, tmp_path, exports):
    add_business(fresh_db, "kiku")
    path = tmp_path / "Overview_20240412_20240418.csv"
    shutil.copy(exports / "tiktok" / "Overview.csv", path)
    one(run(fresh_db, [path], tmp_path, business="kiku"))
    assert fresh_db.execute("SELECT min(day), max(day) FROM account_metrics").fetchone() == (
        date(2024, 4, 12), date(2024, 4, 18))


CONTENT = ('"Time","Video title","Video link","Post time","Total likes","Total comments",'
           '"Total shares","Total views"\n')


def test_content_export_with_localised_dates_and_undefined_cells(fresh_db, tmp_path):
    add_business(fresh_db, "kiku", "Asia/Tokyo")
    path = write(tmp_path / "Content_2025-03-01_2025-04-30.csv", CONTENT
                 + '"2025-04-30","Ramen ASMR","https://www.tiktok.com/@kikuramen/video/'
                   '7490000000000000001","12 de abril","1.2K","33","undefined","15,400"\n'
                 + '"2025-04-30","Night shift","https://www.tiktok.com/@kikuramen/video/'
                   '7490000000000000002","April 2","80","5","2","3100"\n'
                 + '"2025-04-30","No link","","April 3","1","1","1","10"\n'
                 + '"2025-04-30","Typo","https://www.tiktok.com/@kikuramen/video/'
                   '7490000000000000004","Aprl 4","1","1","1","10"\n')
    mapping = AccountMap()
    mapping.add("kiku", "tiktok", "kikuramen", "test")
    result = one(run(fresh_db, [path], tmp_path, mapping=mapping))
    assert (result.inserted, result.rejected) == (2, 2)
    assert [r[:2] for r in result.rejects] == [(4, "Video link"), (5, "Post time")]
    rows = fresh_db.execute(
        "SELECT content_id, published_at, published_time_known, views, likes, comments, shares "
        "FROM content JOIN content_metrics USING (platform, content_id) ORDER BY 1").fetchall()
    assert rows == [
        # "12 de abril" in the export period ending 30 April 2025; a day in Tokyo, no hour
        ("7490000000000000001", datetime(2025, 4, 11, 15, 0, tzinfo=UTC), False, 15400, 1200,
         33, None),
        ("7490000000000000002", datetime(2025, 4, 1, 15, 0, tzinfo=UTC), False, 3100, 80, 5,
         2),
    ]
