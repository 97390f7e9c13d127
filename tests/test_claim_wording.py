"""Insight wording matches the evidence: a claim is firm only when its whole interval clears
the effect bar, "held steady" only when the interval rules out a change worth acting on, and
the verb agrees with the format ("Text posts … earn", "Video … earns")."""

from __future__ import annotations

import numpy as np

from analytics import config
from analytics.metrics import claims
from analytics.metrics.stats import Comparison


def trend(platform: str, recent: list[float], earlier: list[float]) -> Comparison:
    return Comparison("platform_trend", {"platform": platform, "recent_start": "2026-09-28",
                                         "earlier_start": "2026-05-25"},
                      np.array(recent, dtype=float), np.array(earlier, dtype=float), 0.5)


def test_an_interval_clears_the_bar_only_as_a_whole() -> None:
    assert claims.clears((1.3, 2.0), low=1.2)
    assert not claims.clears((1.1, 2.0), low=1.2)  # reaches under ×1.2: tentative
    assert claims.clears((0.5, 0.7), high=0.8)
    assert not claims.clears((0.5, 0.9), high=0.8)
    assert claims.clears((0.9, 1.1), low=0.8, high=1.2)
    assert not claims.clears((None, None), low=1.2)


def test_held_steady_only_when_the_interval_rules_out_a_change() -> None:
    # X: 40 posts at 100 ± 2 in both halves (interval about ×0.98–1.02): steady;
    # LinkedIn: 10 posts spread 20–200 in both halves: the interval is wide, so no clear change
    rng = np.random.default_rng(1)
    x = trend("x", list(100 + rng.uniform(-2, 2, 40)), list(100 + rng.uniform(-2, 2, 40)))
    li = trend("linkedin", list(np.linspace(20, 200, 10)), list(np.linspace(30, 190, 10)))
    intervals = [c.interval(np.random.default_rng(7)) for c in (x, li)]
    assert claims.clears(intervals[0], low=0.8, high=1.2)
    assert not claims.clears(intervals[1], low=0.8, high=1.2)
    text = claims.trend_note([x, li], "26 weeks", intervals).text
    assert text.startswith("Engagement per post held steady on X (within ±20 %)")
    assert "on LinkedIn there is no clear change either way" in text
    assert "held steady on LinkedIn" not in text


def test_a_claim_whose_interval_reaches_under_the_bar_is_tentative() -> None:
    # a format at about ×1.5 with a wide interval (few, scattered posts) vs a tight one
    wide = Comparison("content_type", {"platform": "linkedin", "content_type": "text"},
                      np.array([1.0, 3.0, 6.0, 9.0, 12.0]), np.array([2.0, 4.0, 6.0, 8.0, 10.0]),
                      0.01, q_value=0.01)
    tight = Comparison("content_type", {"platform": "linkedin", "content_type": "video"},
                       np.full(30, 10.0) + np.linspace(0, 0.5, 30), np.full(30, 5.0), 1e-6,
                       q_value=1e-5)
    tentative = claims.format_claim(wide, np.random.default_rng(3), "26 weeks", 12)
    firm = claims.format_claim(tight, np.random.default_rng(3), "26 weeks", 12)
    assert tentative.evidence["ci_low"] < config.MIN_TYPE_RATIO
    assert tentative.evidence["firm"] is False
    assert tentative.claim.startswith("Text posts on LinkedIn may earn more")
    assert firm.evidence["firm"] is True
    assert firm.claim.startswith("Video on LinkedIn earns about 2.0×")


def test_singular_and_plural() -> None:
    note = claims.timing_note(1, 2, [{"posts": 1}], [], "26 weeks").text
    assert "(1 post with a known hour" in note and "(1 more post came" in note
    assert "1 posts" not in note
    many = claims.timing_note(12, 15, [{"posts": 3}], [], "26 weeks").text
    assert "(12 posts with a known hour" in many and "(3 more posts came" in many


def test_a_falling_platform_with_the_best_engagement_rate_says_both() -> None:
    falling = trend("facebook", [40.0] * 20, [100.0] * 20)
    plain = claims.trend_claim(falling, np.random.default_rng(1), 5)
    both = claims.trend_claim(falling, np.random.default_rng(1), 5, best_rate=7.5)
    assert plain.claim.startswith("Engagement per post on Facebook is falling")
    assert "best" not in plain.claim
    assert both.claim.startswith("Engagement per post on Facebook is falling")
    assert "Its engagement rate is still your best of any platform (7.5 %" in both.claim
    assert both.evidence["best_engagement_rate"] == 7.5


def test_the_best_rate_platform_is_the_highest_median_with_enough_posts() -> None:
    from analytics.metrics.insights import _best_rate_platform

    platform = np.array(["x"] * 10 + ["facebook"] * 10 + ["tiktok"] * 3, dtype=object)
    er = np.array([2.0] * 10 + [5.0] * 10 + [50.0] * 3)
    assert _best_rate_platform(platform, er) == ("facebook", 5.0)  # tiktok: too few posts
