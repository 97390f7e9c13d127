"""A change inside the business's usual week-to-week range is normal (not painted red or green);
a change of reach that comes from a different mix of platforms says so. Worked by hand."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from bs4 import BeautifulSoup

from analytics.metrics.period import Period
from analytics.render.batch import RenderOptions, run_batch
from analytics.report import build_report
from conftest import post

BIZ = [{"business_id": "steady", "name": "Steady", "timezone": "UTC"}]
W47 = date(2026, 11, 16)
# engagement of the ten weeks before W47, oldest first (W37 … W46): one post each
WEEKS = [100, 110, 100, 120, 100, 90, 100, 130, 100, 100]


def posts(current: int) -> list[dict]:
    rows = []
    for k, likes in enumerate(reversed(WEEKS), start=1):  # k weeks before W47
        day = W47 - timedelta(weeks=k) + timedelta(days=2)
        rows.append(post("steady", "instagram", f"w{k}", f"{day}T10:00:00Z", views=1_000,
                         likes=likes, reach=800))
    rows.append(post("steady", "instagram", "now", f"{W47 + timedelta(days=2)}T10:00:00Z",
                     views=1_000, likes=current, reach=800))
    return rows


def test_the_usual_range_is_the_10th_to_90th_percentile_of_past_changes(load) -> None:
    # changes, week to week: +10, −9.09, +20, −16.67, −10, +11.11, +30, −23.08, 0 (9 changes)
    # sorted: −23.08, −16.67, −10, −9.09, 0, +10, +11.11, +20, +30; numpy's linear percentile:
    # 10th at position 0.8: −23.08 + 0.8 × (−16.67 + 23.08) = −17.95;
    # 90th at position 7.2: 20 + 0.2 × (30 − 20) = 22
    con = load(BIZ, posts(current=115))
    o = build_report(con, "steady", "2026-W47", "2026-11-30").to_dict()["overview"]
    usual = o["usual_engagement_change"]
    assert usual["changes"] == 9
    low = -300 / 13 + 0.8 * (-50 / 3 + 300 / 13)
    assert usual["low"] == pytest.approx(low)
    assert usual["high"] == pytest.approx(22.0)
    assert o["growth_rate"] == pytest.approx(15.0)  # 115 against 100
    assert o["growth_within_usual"] is True
    outside = load(BIZ, posts(current=150))
    o = build_report(outside, "steady", "2026-W47", "2026-11-30").to_dict()["overview"]
    assert o["growth_rate"] == pytest.approx(50.0) and o["growth_within_usual"] is False


def test_the_card_marks_a_usual_change_as_normal(load, tmp_path) -> None:
    con = load(BIZ, posts(current=85))  # −15 %: inside −17.9 % … +22 %
    run_batch(con, ["steady"], Period.parse("2026-W47"), date(2026, 11, 30),
              RenderOptions(out=tmp_path, formats=("html",)), jobs=0)
    soup = BeautifulSoup((tmp_path / "steady" / "2026-W47" / "report.html").read_text(),
                         "html.parser")
    card = soup.select_one('[data-metric="growth_rate"]')
    value = card.select_one(".value")
    assert "normal" in value["class"] and "down" not in value["class"]
    assert "within your usual week-to-week range" in card.get_text(" ")


def test_a_change_of_platform_mix_is_labelled(load) -> None:
    # W46: reach from Instagram only; W47: from Instagram and Facebook (the data starts on
    # W46's Monday: a week only partly covered would show no change at all)
    con = load(BIZ, [
        post("steady", "instagram", "a", "2026-11-09T10:00:00Z", views=1_000, likes=10,
             reach=800),
        post("steady", "instagram", "b", "2026-11-17T10:00:00Z", views=1_000, likes=10,
             reach=800),
        post("steady", "facebook", "c", "2026-11-18T10:00:00Z", views=1_000, likes=10,
             reach=900),
    ])
    o = build_report(con, "steady", "2026-W47", "2026-11-30").to_dict()["overview"]
    assert o["growth"]["reach"] == pytest.approx(1700 * 100 / 800 - 100)
    assert o["reach_mix_changed"] is True
    assert o["previous"]["reach_platforms"] == ["instagram"]
    assert o["reach_platforms"] == ["facebook", "instagram"]


def test_every_card_has_its_own_usual_range(load) -> None:
    # the same ten weeks: one post a week (posts change 0 % every week), reach 800 every week
    # (0 %), and an engagement rate of likes / 1,000 views: 10, 11, 10, 12, 10, 9, 10, 13, 10,
    # 10 %, so the rate's changes in points are +1, −1, +2, −2, −1, +1, +3, −3, 0; sorted −3,
    # −2, −1, −1, 0, +1, +1, +2, +3: 10th percentile −3 + 0.8 × 1 = −2.2, 90th 2 + 0.2 × 1 = 2.2
    con = load(BIZ, posts(current=115))
    o = build_report(con, "steady", "2026-W47", "2026-11-30").to_dict()["overview"]
    usual = o["usual_changes"]
    assert usual["posts"] == {"low": 0.0, "high": 0.0, "changes": 9}
    assert usual["reach"] == {"low": 0.0, "high": 0.0, "changes": 9}
    assert usual["engagement"] == o["usual_engagement_change"]
    rate = usual["engagement_rate_points"]
    assert (rate["low"], rate["high"], rate["changes"]) == (
        pytest.approx(-2.2), pytest.approx(2.2), 9)
    # W47: 1 post (0 %), reach 800 (0 %), rate 11.5 % against 10 % (+1.5 points): all usual
    assert o["growth"]["engagement_rate_points"] == pytest.approx(1.5)
    assert o["within_usual"] == {"posts": True, "reach": True, "engagement": True,
                                 "engagement_rate_points": True}
    assert o["growth_within_usual"] is True
    # 150 likes: +5 points and +50 % are outside; posts and reach still did not move
    outside = load(BIZ, posts(current=150))
    o = build_report(outside, "steady", "2026-W47", "2026-11-30").to_dict()["overview"]
    assert o["within_usual"] == {"posts": True, "reach": True, "engagement": False,
                                 "engagement_rate_points": False}


def test_each_card_inside_its_usual_range_is_grey(load, tmp_path) -> None:
    con = load(BIZ, posts(current=150))
    run_batch(con, ["steady"], Period.parse("2026-W47"), date(2026, 11, 30),
              RenderOptions(out=tmp_path, formats=("html",)), jobs=0)
    soup = BeautifulSoup((tmp_path / "steady" / "2026-W47" / "report.html").read_text(),
                         "html.parser")

    def change(metric: str):
        return soup.select_one(f'[data-metric="{metric}"] .change')

    for usual in ("total_posts", "total_reach"):
        assert "normal" in change(usual)["class"], usual
        assert "normal for you" in change(usual).get_text(" "), usual
    rate = change("avg_engagement_rate")
    assert "normal" not in rate["class"] and "up" in rate["class"]
    assert "normal for you" not in rate.get_text(" ")
