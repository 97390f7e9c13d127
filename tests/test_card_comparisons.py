"""What each card's change is against, in words (issue 11 item 2): a week still under way is
compared with the same days of the week before ("vs 470 in the same 3 days of last week", not
"the week before"), and a month with the equal-length window just before it, named with its
dates: DESIGN.md pins growth to the previous equal-length period, so October is compared with
31 Aug – 30 Sep, and the card says so rather than implying September."""

from __future__ import annotations

from datetime import date

from bs4 import BeautifulSoup

from analytics.metrics.period import Period
from analytics.render.batch import RenderOptions, run_batch
from analytics.report import build_report
from conftest import post

BIZ = [{"business_id": "shop", "name": "Shop", "timezone": "UTC"}]


def card_text(con, period: str, as_of: date, out) -> dict[str, str]:
    run_batch(con, ["shop"], Period.parse(period), as_of,
              RenderOptions(out=out, formats=("html",)), jobs=0)
    (page,) = out.glob(f"shop/{period}/report.html")
    soup = BeautifulSoup(page.read_text(), "html.parser")
    return {c["data-metric"]: " ".join(c.get_text(" ").split())
            for c in soup.select(".card[data-metric]")}


def test_a_week_under_way_is_compared_with_the_same_days(load, tmp_path) -> None:
    # W46 Mon 9 – Wed 11 Nov: 2 posts, 300 + 170 = 470 views; Thu 12 Nov: one more (not
    # counted: W47 is seen on its Wednesday, 18 Nov, so Mon–Wed against Mon–Wed)
    con = load(BIZ, [
        post("shop", "x", "a", "2026-11-09T10:00:00Z", views=300, likes=30, reach=250,
             observed_on="2026-11-11"),
        post("shop", "x", "b", "2026-11-11T10:00:00Z", views=170, likes=10, reach=150,
             observed_on="2026-11-11"),
        post("shop", "x", "c", "2026-11-12T10:00:00Z", views=900, likes=90, reach=800,
             observed_on="2026-11-18"),
        post("shop", "x", "d", "2026-11-17T10:00:00Z", views=500, likes=40, reach=400,
             observed_on="2026-11-18"),
    ])
    o = build_report(con, "shop", "2026-W47", "2026-11-18").to_dict()["overview"]
    assert (o["previous"]["start"], o["previous"]["end"], o["previous"]["days"]) == (
        "2026-11-09", "2026-11-11", 3)
    assert o["previous"]["total_posts"] == 2 and o["previous"]["total_reach"] == 400
    cards = card_text(con, "2026-W47", date(2026, 11, 18), tmp_path)
    assert "vs 2 in the same 3 days of last week" in cards["total_posts"]
    assert "vs 400 in the same 3 days of last week" in cards["total_reach"]
    assert "the week before" not in " ".join(cards.values())


def test_a_complete_week_says_the_week_before(load, tmp_path) -> None:
    con = load(BIZ, [
        post("shop", "x", "a", "2026-11-09T10:00:00Z", views=300, likes=30),
        post("shop", "x", "d", "2026-11-17T10:00:00Z", views=500, likes=40),
    ])
    cards = card_text(con, "2026-W47", date(2026, 11, 30), tmp_path)
    assert "vs 1 the week before" in cards["total_posts"]


def test_a_month_names_the_equal_length_window_it_is_compared_with(load, tmp_path) -> None:
    # October (31 days) against the 31 days before it: 31 Aug – 30 Sep, so the post of
    # 31 Aug counts and the card names those dates
    con = load(BIZ, [
        post("shop", "x", "aug31", "2026-08-31T10:00:00Z", views=300, likes=30),
        post("shop", "x", "sep", "2026-09-15T10:00:00Z", views=300, likes=30),
        post("shop", "x", "oct", "2026-10-15T10:00:00Z", views=500, likes=40),
    ])
    o = build_report(con, "shop", "2026-10", "2026-11-30").to_dict()["overview"]
    assert (o["previous"]["start"], o["previous"]["end"], o["previous"]["days"]) == (
        "2026-08-31", "2026-09-30", 31)
    assert o["previous"]["total_posts"] == 2
    cards = card_text(con, "2026-10", date(2026, 11, 30), tmp_path)
    assert "vs 2 in the previous 31 days (31 Aug – 30 Sep 2026)" in cards["total_posts"]
