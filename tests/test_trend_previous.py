"""The trend chart draws the previous period faintly for every period kind (issue 11 item 5):
a month's trend window is the month itself, so the previous 31 days come as their own series
(report.json previous_trends) and are drawn day for day over the month. Its number table tells
a day without posts ("no posts") from a day whose posts earned nothing (0)."""

from __future__ import annotations

from datetime import date

from bs4 import BeautifulSoup

from analytics.metrics.period import Period
from analytics.render.batch import RenderOptions, run_batch
from analytics.report import build_report
from conftest import post

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
    # the alt text gives the previous period's numbers: 30 + 20 engagement from 3 posts
    assert ("The previous period (31 Aug – 30 Sep 2026, dashed, day for day): 50 engagement "
            "from 3 posts.") in svg.select_one("desc").get_text()
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
