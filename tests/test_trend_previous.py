"""The trend chart draws the previous period faintly for every period kind (issue 11 item 5):
a month's trend window is the month itself, so the previous 31 days come as their own series
(report.json previous_trends) and are drawn day for day over the month. Its number table tells
a day without posts ("no posts") from a day whose posts earned nothing (0)."""

from __future__ import annotations

from datetime import date

import pytest
from bs4 import BeautifulSoup

from analytics.metrics.period import Period
from analytics.render.batch import RenderOptions, run_batch
from analytics.report import build_report
from conftest import DEMO_AS_OF, DEMO_PERIOD, post

BIZ = [{"business_id": "shop", "name": "Shop", "timezone": "UTC"}]
LEGEND = "previous period, day for day"


def month_posts() -> list[dict]:
    return [
        # the previous 31 days of October: 31 Aug – 30 Sep
        post("shop", "x", "aug31", "2026-08-31T10:00:00Z", views=300, likes=30),
        post("shop", "x", "sep15", "2026-09-15T10:00:00Z", views=300, likes=12, shares=3),
        post("shop", "x", "sep15b", "2026-09-15T12:00:00Z", views=100, likes=5),
        # October: 2 Oct a post that earned nothing, 15 Oct a post with 40 likes
        post("shop", "x", "oct2", "2026-10-02T10:00:00Z", views=200),
        post("shop", "x", "oct15", "2026-10-15T10:00:00Z", views=500, likes=40),
    ]


def test_a_month_carries_its_previous_period_day_by_day(load) -> None:
    con = load(BIZ, month_posts())
    r = build_report(con, "shop", "2026-10", "2026-11-30").to_dict()
    assert (r["period"]["trend_start"], r["period"]["trend_end"]) == ("2026-10-01", "2026-10-31")
    previous = r["previous_trends"]
    assert len(previous) == 31
    assert (previous[0]["date"], previous[-1]["date"]) == ("2026-08-31", "2026-09-30")
    by_day = {t["date"]: t for t in previous}
    assert (by_day["2026-08-31"]["posts"], by_day["2026-08-31"]["engagement"]) == (1, 30)
    assert (by_day["2026-09-15"]["posts"], by_day["2026-09-15"]["engagement"]) == (2, 20)
    assert sum(t["posts"] for t in previous) == 3
    # a day without posts and a day whose post earned nothing differ in report.json
    trends = {t["date"]: t for t in r["trends"]}
    assert (trends["2026-10-01"]["posts"], trends["2026-10-01"]["engagement"]) == (0, 0)
    assert trends["2026-10-01"]["engagement_rate"] is None
    assert (trends["2026-10-02"]["posts"], trends["2026-10-02"]["engagement"]) == (1, 0)
    assert trends["2026-10-02"]["engagement_rate"] == 0.0


def test_the_month_chart_draws_the_previous_period_and_the_table_says_no_posts(
        load, tmp_path) -> None:
    con = load(BIZ, month_posts())
    run_batch(con, ["shop"], Period.parse("2026-10"), date(2026, 11, 30),
              RenderOptions(out=tmp_path, formats=("html",)), jobs=0)
    soup = BeautifulSoup((tmp_path / "shop" / "2026-10" / "report.html").read_text(),
                         "html.parser")
    svg = soup.select_one("figure.chart-trend svg")
    assert LEGEND in svg.get_text(" ")
    # the alt text gives the previous period's numbers: 30 + 20 engagements from 3 posts
    # (observed only on 30 Nov, after 30 Oct: counted as of the same day, like the cards)
    assert ("The previous period (31 Aug – 30 Sep 2026, dashed, day for day, counted as of the "
            "same day): 50 engagements from 3 posts.") in svg.select_one("desc").get_text()
    cells = [td.get_text() for td in soup.select("table.trend-table td")]
    # Oct 2026 starts on a Thursday: Mon–Wed of its first row are outside the window
    assert cells[:7] == ["", "", "", "no posts", "0", "no posts", "no posts"]
    assert "40" in cells


def test_a_week_draws_it_too(load, tmp_path) -> None:
    con = load(BIZ, [post("shop", "x", "a", "2026-11-10T10:00:00Z", views=300, likes=30),
                     post("shop", "x", "b", "2026-11-17T10:00:00Z", views=300, likes=20)])
    run_batch(con, ["shop"], Period.parse("2026-W47"), date(2026, 11, 30),
              RenderOptions(out=tmp_path, formats=("html",)), jobs=0)
    soup = BeautifulSoup((tmp_path / "shop" / "2026-W47" / "report.html").read_text(),
                         "html.parser")
    assert LEGEND in soup.select_one("figure.chart-trend svg").get_text(" ")


# --- the previous period counted at the same age, as on the cards ------------------------------


def two_weeks() -> list[dict]:
    """W46 (9–15 Nov) and W47 (16–22 Nov), each post observed twice. Reported as of 23 Nov,
    last week is counted as of 16 Nov (the same age): 10 Nov's post had 30 + 5 = 35
    engagements then (90 + 10 = 100 by 23 Nov), 13 Nov's 20 (40 by 23 Nov): 55, not 140."""
    return [
        post("shop", "x", "a", "2026-11-10T10:00:00Z", views=300, likes=30, shares=5,
             observed_on="2026-11-16"),
        post("shop", "x", "a", "2026-11-10T10:00:00Z", views=600, likes=90, shares=10,
             observed_on="2026-11-23"),
        post("shop", "x", "b", "2026-11-13T10:00:00Z", views=200, likes=20,
             observed_on="2026-11-16"),
        post("shop", "x", "b", "2026-11-13T10:00:00Z", views=400, likes=40,
             observed_on="2026-11-23"),
        post("shop", "x", "c", "2026-11-17T10:00:00Z", views=500, likes=60,
             observed_on="2026-11-23"),
    ]


def test_last_week_is_counted_at_the_same_age_as_on_the_cards(load) -> None:
    con = load(BIZ, two_weeks())
    r = build_report(con, "shop", "2026-W47", "2026-11-23").to_dict()
    assert r["overview"]["growth_basis"] == "same_age"
    assert r["overview"]["previous"]["as_of"] == "2026-11-16"
    by_day = {t["date"]: t for t in r["previous_trends"]}
    assert (by_day["2026-11-10"]["posts"], by_day["2026-11-10"]["engagement"],
            by_day["2026-11-10"]["views"]) == (1, 35, 300)
    assert by_day["2026-11-10"]["engagement_rate"] == pytest.approx(35 / 300 * 100)
    assert (by_day["2026-11-13"]["posts"], by_day["2026-11-13"]["engagement"]) == (1, 20)
    assert (by_day["2026-11-09"]["posts"], by_day["2026-11-09"]["engagement"]) == (0, 0)
    assert sum(t["engagement"] for t in r["previous_trends"]) == 55
    assert r["overview"]["previous"]["total_engagement"] == 55
    # this week's own days stay as of 23 Nov
    assert {t["date"]: t for t in r["trends"]}["2026-11-17"]["engagement"] == 60


def test_a_week_under_way_stops_where_the_cards_stop(load) -> None:
    """Seen on Wednesday 18 Nov, W47 is compared with Mon–Wed of W46 as of 11 Nov: W46's
    Thursday onwards had not happened yet at that age (null, not drawn)."""
    con = load(BIZ, [
        post("shop", "x", "a", "2026-11-10T10:00:00Z", views=300, likes=12,
             observed_on="2026-11-11"),
        post("shop", "x", "a", "2026-11-10T10:00:00Z", views=600, likes=50,
             observed_on="2026-11-18"),
        post("shop", "x", "d", "2026-11-13T10:00:00Z", views=300, likes=8,
             observed_on="2026-11-18"),
        post("shop", "x", "c", "2026-11-17T10:00:00Z", views=500, likes=60,
             observed_on="2026-11-18"),
    ])
    r = build_report(con, "shop", "2026-W47", "2026-11-18").to_dict()
    by_day = {t["date"]: t for t in r["previous_trends"]}
    assert by_day["2026-11-10"]["engagement"] == 12
    assert by_day["2026-11-11"]["posts"] == 0
    for day in ("2026-11-12", "2026-11-13", "2026-11-15"):
        assert by_day[day] == {"date": day, "posts": None, "views": None, "engagement": None,
                               "engagement_rate": None}
    assert r["overview"]["previous"]["total_engagement"] == 12


def test_a_single_export_counts_both_as_of_the_same_day(load) -> None:
    """Last week's post first observed on 23 Nov: the cards count it as of that day, and so
    does the chart (its 16 Nov counters do not exist)."""
    con = load(BIZ, [
        post("shop", "x", "a", "2026-11-10T10:00:00Z", views=600, likes=90,
             observed_on="2026-11-23"),
        post("shop", "x", "c", "2026-11-17T10:00:00Z", views=500, likes=60,
             observed_on="2026-11-23"),
    ])
    r = build_report(con, "shop", "2026-W47", "2026-11-23").to_dict()
    assert r["overview"]["growth_basis"] == "same_day"
    assert sum(t["engagement"] for t in r["previous_trends"]) == 90
    assert r["overview"]["previous"]["total_engagement"] == 90


def test_the_chart_and_its_text_say_it(load, tmp_path) -> None:
    con = load(BIZ, two_weeks())
    run_batch(con, ["shop"], Period.parse("2026-W47"), date(2026, 11, 23),
              RenderOptions(out=tmp_path, formats=("html",)), jobs=0)
    soup = BeautifulSoup((tmp_path / "shop" / "2026-W47" / "report.html").read_text(),
                         "html.parser")
    svg = soup.select_one("figure.chart-trend svg")
    assert "previous period, day for day, counted at the same age" in svg.get_text(" ")
    assert ("In this report's period (16–22 Nov 2026): 60 engagements from 1 post. The "
            "previous period (9–15 Nov 2026, dashed, day for day, counted at the same age): "
            "55 engagements from 2 posts.") in svg.select_one("desc").get_text()
    lede = " ".join(soup.select_one("#trends .lede").get_text(" ").split())
    assert "The dashed line is the previous period, day for day, its posts counted as of " \
        "16 Nov 2026 (at the same age), as on the cards." in lede


def test_the_demo_chart_and_card_agree(demo_db) -> None:
    """northwind-coffee, 2026-W47 as of 23 Nov: last week's card says 1,944 engagements;
    counted as of 23 Nov the chart's previous line summed 2,128."""
    r = build_report(demo_db, "northwind-coffee", DEMO_PERIOD, DEMO_AS_OF).to_dict()
    previous = r["overview"]["previous"]
    assert previous["total_engagement"] == 1_944
    assert sum(t["engagement"] for t in r["previous_trends"]) == 1_944
    assert sum(t["posts"] for t in r["previous_trends"]) == previous["total_posts"]
    assert sum(t["views"] for t in r["previous_trends"]) == previous["total_views"]
