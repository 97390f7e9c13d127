"""content_performance(): ranked by engagement rate, a views floor, total tie-breaking."""

from __future__ import annotations

import pytest

from analytics import AnalyticsError
from analytics.metrics import content_performance
from conftest import post

ACME = [{"business_id": "acme", "name": "Acme", "timezone": "Europe/London"}]


@pytest.fixture
def con(load):
    return load(ACME, [
        # ER 10 %, but only 10 views: below the 100-view floor, never ranked
        post("acme", "x", "tiny", "2026-11-17T09:00:00Z", views=10, likes=1),
        post("acme", "x", "tiny2", "2026-11-17T10:00:00Z", views=20, likes=2),
        post("acme", "x", "tiny3", "2026-11-17T11:00:00Z", views=30, likes=3),
        # ER 5 %: three-way tie broken by engagement, then views, then the earlier post
        post("acme", "x", "a", "2026-11-18T09:00:00Z", views=200, likes=10),
        post("acme", "x", "b", "2026-11-18T09:00:00Z", views=400, likes=20),
        post("acme", "instagram", "c", "2026-11-17T09:00:00Z", views=400, likes=10, shares=5,
             comments=5, clicks=40),
        # ER 8 %
        post("acme", "facebook", "d", "2026-11-19T09:00:00Z", views=1_000, likes=80, clicks=30,
             title="<b>Top</b> post"),
        # zero views: no rate, not ranked
        post("acme", "x", "zero", "2026-11-19T09:00:00Z", views=0),
    ])


def test_ranked_by_engagement_rate_with_ties_broken_totally(con) -> None:
    frame = content_performance(con, "acme", "2026-W47", as_of="2026-11-30")
    assert frame["content_id"].tolist() == ["d", "c", "b", "a"]
    assert frame["rank"].tolist() == [1, 2, 3, 4]
    top = frame.iloc[0]
    assert top["engagement"] == 80
    assert top["engagement_rate"] == pytest.approx(8.0)
    assert top["ctr"] == pytest.approx(3.0)
    assert top["title"] == "<b>Top</b> post"  # kept as data; escaping is the renderer's job
    # published_at in the business's local time (GMT in November), ISO with offset
    assert top["published_at"] == "2026-11-19T09:00:00+00:00"


def test_the_views_floor_keeps_one_view_one_like_out(con) -> None:
    floored = content_performance(con, "acme", "2026-W47", as_of="2026-11-30")
    assert "tiny" not in floored["content_id"].tolist()
    # without the fixed floor, the median post's views (0, 10, 20, 30 | 200, 400, 400, 1000:
    # halfway between 30 and 200, 115) still keep the small posts out
    frame = content_performance(con, "acme", "2026-W47", as_of="2026-11-30", min_views=0)
    assert frame["content_id"].tolist() == ["d", "c", "b", "a"]


def test_a_small_post_does_not_top_a_big_one_with_ten_times_its_engagement(load) -> None:
    # the case: a 225-view post at 12 % against a 3,884-view post with 10x its
    # engagement. Views sorted: 225, 800, 1,000, 1,500, 3,884 -> the median post has 1,000
    # views, so only the posts with 1,000 views or more are ranked, by engagement rate:
    # big 270 / 3,884 = 6.95 %, mid 50 / 1,000 = 5 %, large 60 / 1,500 = 4 %.
    con = load(ACME, [
        post("acme", "x", "small", "2026-11-16T09:00:00Z", views=225, likes=27),
        post("acme", "x", "low", "2026-11-17T09:00:00Z", views=800, likes=8),
        post("acme", "x", "mid", "2026-11-18T09:00:00Z", views=1_000, likes=50),
        post("acme", "x", "large", "2026-11-19T09:00:00Z", views=1_500, likes=60),
        post("acme", "x", "big", "2026-11-20T09:00:00Z", views=3_884, likes=270),
    ])
    frame = content_performance(con, "acme", "2026-W47", as_of="2026-11-30")
    assert frame["content_id"].tolist() == ["big", "mid", "large"]
    assert frame["engagement_rate"].tolist() == pytest.approx([270 * 100 / 3884, 5.0, 4.0])
    from analytics.report import build_report

    overview = build_report(con, "acme", "2026-W47", "2026-11-30").to_dict()["overview"]
    assert overview["ranking_min_views"] == 1_000
    assert overview["unranked_posts"] == 2


def test_limit_cuts_the_list(con) -> None:
    frame = content_performance(con, "acme", "2026-W47", limit=2, as_of="2026-11-30")
    assert frame["content_id"].tolist() == ["d", "c"]


@pytest.mark.parametrize("limit", [0, 101, -1, 2.5, True])
def test_limit_out_of_the_seed_bounds_is_an_error(con, limit) -> None:
    with pytest.raises(AnalyticsError, match="limit must be a whole number from 1 to 100"):
        content_performance(con, "acme", "2026-W47", limit=limit, as_of="2026-11-30")


def test_no_posts_gives_an_empty_frame_with_the_columns(load) -> None:
    con = load(ACME)
    frame = content_performance(con, "acme", "2026-W47", as_of="2026-11-30")
    assert frame.empty
    assert {"rank", "title", "engagement_rate", "ctr"} <= set(frame.columns)
