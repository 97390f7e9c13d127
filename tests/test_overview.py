"""overview(): totals, ratio-of-sums rates, growth, top platform — on fixtures worked by hand."""

from __future__ import annotations

from datetime import date

import pytest

from analytics import AnalyticsError
from analytics.metrics import overview, platform_comparison
from conftest import post

UTC_ACME = [{"business_id": "acme", "name": "Acme", "timezone": "UTC"}]


def test_seed_worked_example_views_25000_engagement_1250_is_5_percent(load) -> None:
    con = load(UTC_ACME, [
        post("acme", "instagram", "p1", "2026-11-17T10:00:00Z", views=10_000, likes=400,
             shares=50, comments=50, reach=8_000),
        post("acme", "facebook", "f1", "2026-11-18T10:00:00Z", views=15_000, likes=600,
             shares=100, comments=50, reach=12_000),
    ])
    result = overview(con, "acme", "2026-W47", as_of="2026-11-30")
    assert result.current.views == 25_000
    assert result.current.engagement == 1_250
    assert result.current.engagement_rate == pytest.approx(5.0)
    assert result.current.reach == 20_000
    assert result.current.posts == 2


def test_rate_is_a_ratio_of_sums_not_an_average_of_rates(load) -> None:
    # post rates 10 % (100 views) and 1 % (9,900 views): the average of rates would be 5.5 %
    con = load(UTC_ACME, [
        post("acme", "x", "a", "2026-11-17T10:00:00Z", views=100, likes=10),
        post("acme", "x", "b", "2026-11-17T11:00:00Z", views=9_900, likes=99),
    ])
    result = overview(con, "acme", "2026-W47", as_of="2026-11-30")
    assert result.current.engagement_rate == pytest.approx(109 / 10_000 * 100)


def test_zero_views_give_no_rate_rather_than_a_division_error(load) -> None:
    con = load(UTC_ACME, [post("acme", "x", "a", "2026-11-17T10:00:00Z", views=0, clicks=0)])
    result = overview(con, "acme", "2026-W47", as_of="2026-11-30").to_dict()
    assert result["total_views"] == 0
    assert result["avg_engagement_rate"] is None
    assert result["ctr"] is None
    assert result["platform_breakdown"]["x"]["engagement_rate"] is None


def test_previous_period_of_zero_gives_no_growth(load) -> None:
    con = load(UTC_ACME, [post("acme", "x", "a", "2026-11-17T10:00:00Z", views=100, likes=5)])
    result = overview(con, "acme", "2026-W47", as_of="2026-11-30")
    assert result.previous.posts == 0
    assert result.growth_rate is None
    assert result.to_dict()["growth"]["posts"] is None


def test_growth_compares_the_previous_week_at_the_same_age(load) -> None:
    # W46 post: engagement 500 as of 16 Nov (as_of − 7 days), 800 a week later.
    # W47 post: engagement 1,250 as of 23 Nov. Growth = (1250 − 500) / 500 = +150 %.
    con = load(UTC_ACME, [
        post("acme", "x", "old", "2026-11-10T09:00:00Z", views=5_000, likes=500,
             observed_on="2026-11-16"),
        post("acme", "x", "old", "2026-11-10T09:00:00Z", views=8_000, likes=800,
             observed_on="2026-11-23"),
        post("acme", "x", "new", "2026-11-17T09:00:00Z", views=10_000, likes=1_250,
             observed_on="2026-11-23"),
    ])
    result = overview(con, "acme", "2026-W47", as_of="2026-11-23")
    assert result.previous.engagement == 500
    assert result.previous.views == 5_000
    assert result.growth_rate == pytest.approx(150.0)
    assert result.growth.views == pytest.approx(100.0)
    assert result.growth.posts == pytest.approx(0.0)
    data = result.to_dict()["previous"]
    assert (data["start"], data["end"], data["as_of"]) == ("2026-11-09", "2026-11-15",
                                                           "2026-11-16")


def test_counters_are_the_latest_observation_on_or_before_as_of(load) -> None:
    con = load(UTC_ACME, [
        post("acme", "x", "a", "2026-11-17T09:00:00Z", views=100, likes=1,
             observed_on="2026-11-18"),
        post("acme", "x", "a", "2026-11-17T09:00:00Z", views=300, likes=3,
             observed_on="2026-11-20"),
        post("acme", "x", "a", "2026-11-17T09:00:00Z", views=900, likes=9,
             observed_on="2026-11-25"),
        # published after as_of: nothing is known about it yet
        post("acme", "x", "b", "2026-11-21T09:00:00Z", views=50, likes=50,
             observed_on="2026-11-22"),
    ])
    result = overview(con, "acme", "2026-W47", as_of="2026-11-20")
    assert (result.current.posts, result.current.views, result.current.engagement) == (1, 300, 3)
    later = overview(con, "acme", "2026-W47", as_of="2026-11-30")
    assert (later.current.posts, later.current.views) == (2, 950)


@pytest.mark.parametrize(
    ("timezone", "inside", "outside"),
    [
        # Europe/London springs forward on Sun 29 Mar 2026: 23:30 BST is 22:30 UTC
        ("Europe/London", "2026-03-29T22:30:00Z", "2026-03-29T23:30:00Z"),
        # America/New_York falls back on Sun 1 Nov 2026: 23:30 EST is 04:30 UTC next day
        ("America/New_York", "2026-11-02T04:30:00Z", "2026-11-02T05:30:00Z"),
        # a post written with its own offset
        ("Asia/Tokyo", "2026-03-29T23:30:00+09:00", "2026-03-30T00:30:00+09:00"),
    ],
)
def test_a_post_at_23_30_local_on_the_last_day_belongs_to_the_period(
    load, timezone: str, inside: str, outside: str
) -> None:
    # the week is W13 (23–29 Mar 2026) for the spring case and W44 (26 Oct–1 Nov) for autumn
    week = "2026-W44" if timezone == "America/New_York" else "2026-W13"
    con = load([{"business_id": "tz", "name": "TZ", "timezone": timezone}], [
        post("tz", "x", "in", inside, views=100, likes=7, observed_on="2026-11-30"),
        post("tz", "x", "out", outside, views=100, likes=11, observed_on="2026-11-30"),
    ])
    result = overview(con, "tz", week, as_of="2026-11-30")
    assert result.current.posts == 1
    assert result.current.engagement == 7


def test_totals_equal_the_sum_of_the_platform_breakdown(load) -> None:
    con = load(UTC_ACME, [
        post("acme", "x", "x1", "2026-11-17T09:00:00Z", views=1_000, likes=10, clicks=5),
        post("acme", "x", "x2", "2026-11-18T09:00:00Z", views=2_000, likes=30, clicks=15),
        post("acme", "instagram", "i1", "2026-11-19T09:00:00Z", views=4_000, likes=100,
             comments=20, reach=3_000, clicks=40),
    ])
    result = overview(con, "acme", "2026-W47", as_of="2026-11-30")
    breakdown = result.to_dict()["platform_breakdown"]
    assert breakdown == {
        "instagram": {"posts": 1, "views": 4_000, "engagement": 120,
                      "engagement_rate": pytest.approx(3.0), "ctr": pytest.approx(1.0)},
        "x": {"posts": 2, "views": 3_000, "engagement": 40,
              "engagement_rate": pytest.approx(40 / 3_000 * 100),
              "ctr": pytest.approx(20 / 3_000 * 100)},
    }
    assert result.current.posts == sum(p["posts"] for p in breakdown.values())
    assert result.current.views == sum(p["views"] for p in breakdown.values())
    assert result.current.engagement == sum(p["engagement"] for p in breakdown.values())
    assert result.top_platform == "instagram"


def test_reach_leaves_out_platforms_that_do_not_report_it(load) -> None:
    con = load(UTC_ACME, [
        post("acme", "x", "x1", "2026-11-17T09:00:00Z", views=5_000, likes=10),
        post("acme", "facebook", "f1", "2026-11-17T09:00:00Z", views=1_000, likes=10,
             reach=700),
    ])
    result = overview(con, "acme", "2026-W47", as_of="2026-11-30").to_dict()
    assert result["total_reach"] == 700  # never 700 + X's 5,000 views
    assert result["reach_posts"] == 1
    assert result["reach_platforms"] == ["facebook"]
    assert result["reach_excluded_platforms"] == ["x"]


def test_top_platform_ties_go_to_more_views_then_name(load) -> None:
    con = load(UTC_ACME, [
        post("acme", "x", "x1", "2026-11-17T09:00:00Z", views=1_000, likes=50),
        post("acme", "tiktok", "t1", "2026-11-17T09:00:00Z", views=2_000, likes=50),
        post("acme", "youtube", "y1", "2026-11-17T09:00:00Z", views=2_000, likes=50),
    ])
    result = overview(con, "acme", "2026-W47", as_of="2026-11-30")
    assert result.top_platform == "tiktok"
    assert list(result.platform_breakdown) == ["tiktok", "youtube", "x"]


def test_a_business_with_no_posts_gets_an_empty_overview(load) -> None:
    con = load(UTC_ACME)
    result = overview(con, "acme", "2026-W47", as_of="2026-11-30").to_dict()
    assert result["total_posts"] == 0
    assert result["total_views"] == 0
    assert result["total_reach"] is None
    assert result["avg_engagement_rate"] is None
    assert result["growth_rate"] is None
    assert result["top_platform"] is None
    assert result["platform_breakdown"] == {}


def test_unknown_business_is_a_clear_error(load) -> None:
    con = load(UTC_ACME)
    with pytest.raises(AnalyticsError, match=r"unknown business 'nope' \(known: acme\)"):
        overview(con, "nope", "2026-W47", as_of="2026-11-30")


def test_a_counter_no_post_reports_stays_missing_not_zero(load) -> None:
    """A YouTube export without likes, shares or comments: its engagement is unknown (null),
    not 0, and the rates use only the posts that report both terms."""
    con = load(UTC_ACME, [post("acme", "x", "x1", "2026-11-17T09:00:00Z", views=1_000,
                               likes=40, clicks=10)])
    con.execute("""INSERT INTO content VALUES ('youtube', 'y1', 'acme', 'video',
                   '2026-11-18 09:00:00+00', 'a video', NULL, true)""")
    con.execute("""INSERT INTO content_metrics VALUES ('youtube', 'y1', '2026-11-30', 3000,
                   NULL, NULL, NULL, NULL, NULL, 'test', now())""")
    result = overview(con, "acme", "2026-W47", as_of="2026-11-30").to_dict()
    assert result["total_posts"] == 2
    assert result["total_views"] == 4_000
    assert result["total_engagement"] == 40
    assert result["avg_engagement_rate"] == pytest.approx(4.0)  # X alone: 40 / 1,000
    assert result["platform_breakdown"]["youtube"] == {
        "posts": 1, "views": 3_000, "engagement": None, "engagement_rate": None, "ctr": None}
    assert result["top_platform"] == "x"
    rows = platform_comparison(con, "acme", "2026-W47", as_of="2026-11-30")
    youtube = rows.set_index("platform").loc["youtube"]
    assert youtube[["likes", "clicks", "engagement", "share_of_engagement"]].isna().all()


def test_growth_of_a_week_under_way_compares_the_same_days_of_the_week_before(load) -> None:
    """Seen on its Wednesday, W47 has had three days: it is compared with Monday–Wednesday of
    W46, not with all of W46 (which would make every week look like a collapse)."""
    posts = [post("acme", "x", f"w46-{d}", f"2026-11-{9 + d}T09:00:00Z", views=100, likes=10,
                  observed_on="2026-11-11" if d < 3 else "2026-11-16") for d in range(7)]
    posts += [post("acme", "x", f"w47-{d}", f"2026-11-{16 + d}T09:00:00Z", views=100, likes=10,
                   observed_on="2026-11-18") for d in range(3)]
    con = load(UTC_ACME, posts)
    result = overview(con, "acme", "2026-W47", as_of="2026-11-18")
    assert (result.current.posts, result.previous.posts) == (3, 3)
    assert result.growth.posts == pytest.approx(0.0)
    data = result.to_dict()["previous"]
    assert (data["start"], data["end"]) == ("2026-11-09", "2026-11-11")


def test_two_snapshots_on_one_connection_each_keep_their_own_posts(load) -> None:
    # An analyst builds W47, then W45, on one connection: each snapshot owns its table, so the
    # W47 answers stay W47's (they used to read W45's rows: 0 posts, no error).
    from analytics.metrics.period import Period
    from analytics.metrics.snapshot import Scope, Snapshot

    con = load(UTC_ACME, [
        post("acme", "x", "w47a", "2026-11-17T09:00:00Z", views=1_000, likes=10),
        post("acme", "x", "w47b", "2026-11-18T09:00:00Z", views=1_000, likes=30),
        post("acme", "x", "w45", "2026-11-03T09:00:00Z", views=500, likes=5),
    ])
    w47 = Snapshot(con, Scope.build(["acme"], Period.parse("2026-W47"), date(2026, 11, 30)))
    assert w47.overview("acme").current.posts == 2
    w45 = Snapshot(con, Scope.build(["acme"], Period.parse("2026-W45"), date(2026, 11, 30)))
    assert w45.overview("acme").current.posts == 1
    w47.__dict__.pop("totals")  # forget the cached answer: ask the table again
    assert w47.overview("acme").current.posts == 2
    assert w47.overview("acme").current.engagement == 40
    assert w45.overview("acme").current.engagement == 5
    assert w47.table != w45.table
