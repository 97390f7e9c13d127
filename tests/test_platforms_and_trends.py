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
