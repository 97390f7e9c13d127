"""platform_comparison() and engagement_trends() on hand-made fixtures."""

from __future__ import annotations

import pytest

from analytics import AnalyticsError
from analytics.metrics import engagement_trends, platform_comparison
from conftest import post

NY = [{"business_id": "ny", "name": "NY", "timezone": "America/New_York"}]


@pytest.fixture
def con(load):
    return load(NY, [
        post("ny", "instagram", "i1", "2026-11-17T15:00:00Z", views=1_000, likes=60, reach=800,
             clicks=100),
        post("ny", "instagram", "i2", "2026-11-18T15:00:00Z", views=3_000, likes=60, reach=1_500),
        post("ny", "x", "x1", "2026-11-18T15:00:00Z", views=2_000, likes=30, shares=10,
             comments=10, clicks=20),
        # 02:00 UTC on 21 Nov is 21:00 on 20 Nov in New York
        post("ny", "x", "x2", "2026-11-21T02:00:00Z", views=500, likes=30),
    ])


def test_platform_comparison_numbers_and_shares(con) -> None:
    frame = platform_comparison(con, "ny", "2026-W47", as_of="2026-11-30")
    rows = frame.set_index("platform").to_dict("index")
    assert list(frame["platform"]) == ["instagram", "x"]
    assert rows["instagram"]["posts"] == 2
    assert rows["instagram"]["reach"] == 2_300
    assert rows["instagram"]["engagement"] == 120
    assert rows["instagram"]["engagement_rate"] == pytest.approx(3.0)
    assert rows["instagram"]["ctr"] == pytest.approx(2.5)
    assert rows["instagram"]["share_of_engagement"] == pytest.approx(120 / 200 * 100)
    assert rows["x"]["engagement"] == 80
    assert rows["x"]["engagement_rate"] == pytest.approx(80 / 2_500 * 100)
    assert pd_isna(rows["x"]["reach"])  # X reports no reach: empty, never views
    assert frame["share_of_engagement"].sum() == pytest.approx(100.0)


def pd_isna(value) -> bool:
    return value is None or value != value


def test_trends_are_zero_filled_days_in_local_time(con) -> None:
    frame = engagement_trends(con, "ny", days=7, end="2026-11-22", as_of="2026-11-30")
    assert [d.date().isoformat() for d in frame["date"]] == [
        "2026-11-16", "2026-11-17", "2026-11-18", "2026-11-19", "2026-11-20", "2026-11-21",
        "2026-11-22",
    ]
    assert frame["posts"].tolist() == [0, 1, 2, 0, 1, 0, 0]
    assert frame["engagement"].tolist() == [0, 60, 110, 0, 30, 0, 0]
    assert frame["views"].tolist() == [0, 1_000, 5_000, 0, 500, 0, 0]
    assert frame["engagement_rate"].iloc[2] == pytest.approx(110 / 5_000 * 100)
    assert frame["engagement_rate"].isna().tolist() == [True, False, False, True, False, True,
                                                        True]


@pytest.mark.parametrize("days", [6, 91, 0])
def test_trend_days_out_of_the_seed_bounds_is_an_error(con, days) -> None:
    with pytest.raises(AnalyticsError, match="days must be a whole number from 7 to 90"):
        engagement_trends(con, "ny", days=days, as_of="2026-11-30")


def test_ninety_days_give_ninety_points(con) -> None:
    frame = engagement_trends(con, "ny", days=90, end="2026-11-22", as_of="2026-11-30")
    assert len(frame) == 90
    assert frame["posts"].sum() == 4


def test_a_platform_quiet_this_period_keeps_its_row_with_zero_posts(load) -> None:
    # Facebook posted on 2 and 9 Nov (first post 14 days before the period), not in W47:
    # it is still listed, last, with 0 posts and 2 posts × 7 / 14 days = 1 a week.
    con = load(NY, [
        post("ny", "facebook", "f1", "2026-11-02T15:00:00Z", views=900, likes=9),
        post("ny", "facebook", "f2", "2026-11-09T15:00:00Z", views=900, likes=9),
        post("ny", "x", "x1", "2026-11-18T15:00:00Z", views=2_000, likes=30),
    ])
    from analytics.report import build_report

    report = build_report(con, "ny", "2026-W47", "2026-11-30").to_dict()
    rows = {p["platform"]: p for p in report["platforms"]}
    assert [p["platform"] for p in report["platforms"]] == ["x", "facebook"]
    assert rows["facebook"]["posts"] == 0
    assert rows["facebook"]["engagement"] is None
    assert rows["facebook"]["usual_posts_per_week"] == pytest.approx(1.0)
    assert rows["x"]["share_of_engagement"] == pytest.approx(100.0)
    # the overview counts only platforms with posts: facebook is not "without reach data"
    assert report["overview"]["top_platform"] == "x"
    assert list(report["overview"]["platform_breakdown"]) == ["x"]
    assert report["overview"]["reach_excluded_platforms"] == ["x"]


def test_days_after_the_as_of_date_are_null_not_zero(load) -> None:
    # W47 seen on its Thursday (19 Nov): 20–22 Nov have not happened yet; 16 and 19 Nov had
    # no posts (0), 17 Nov had a post, 18 Nov a post that earned nothing (0 with 1 post)
    con = load(NY, [
        post("ny", "instagram", "i1", "2026-11-17T15:00:00Z", views=1_000, likes=60,
             observed_on="2026-11-19"),
        post("ny", "x", "x1", "2026-11-18T15:00:00Z", views=40, observed_on="2026-11-19"),
    ])
    frame = engagement_trends(con, "ny", days=7, end="2026-11-22", as_of="2026-11-19")
    assert frame["posts"].tolist()[:4] == [0, 1, 1, 0]
    assert frame["engagement"].tolist()[:4] == [0, 60, 0, 0]
    assert frame["posts"].iloc[4:].isna().all()
    assert frame["engagement"].iloc[4:].isna().all()
    assert frame["views"].iloc[4:].isna().all()
    from analytics.report import build_report

    trends = build_report(con, "ny", "2026-W47", "2026-11-19").to_dict()["trends"]
    assert trends[-3:] == [{"date": d, "posts": None, "views": None, "engagement": None,
                            "engagement_rate": None}
                           for d in ("2026-11-20", "2026-11-21", "2026-11-22")]
