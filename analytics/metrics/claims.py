"""The words of insights: claims with their evidence, and notes where no claim can be made.

A claim says what to do in plain words and carries its effect with an interval, the posts on
both sides, the weeks of data and the number of comparisons it survived. A note says plainly
why nothing is claimed ("Not enough posts yet…; we need about 30").
"""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np

from analytics import config
from analytics.metrics.labels import WEEKDAYS, fmt_day, platform_name, type_label, window_label
from analytics.metrics.results import Note, Recommendation
from analytics.metrics.stats import Comparison


def confidence(q_value: float) -> str:
    return "high" if q_value <= 0.001 else "moderate"


def evidence(c: Comparison, ci: tuple[float | None, float | None], n_tests: int,
              **extra: Any) -> dict[str, Any]:
    return {
        "effect": c.effect,
        "ci_low": ci[0],
        "ci_high": ci[1],
        "n": int(c.group.size),
        "n_rest": int(c.rest.size),
        "median": c.median,
        "median_rest": c.median_rest,
        "p_value": c.p_value,
        "q_value": c.q_value,
        "comparisons": n_tests,
        **extra,
    }


def clears(ci: tuple[float | None, float | None], low: float | None = None,
           high: float | None = None) -> bool:
    """Whether the whole 95 % interval of a ratio clears the effect bar: above ``low`` (a
    claim that something earns more), or below ``high`` (that something is falling). A claim
    whose interval reaches back under the bar is worded as tentative, not stated firmly."""
    if ci[0] is None or ci[1] is None:
        return False
    return (low is None or ci[0] >= low) and (high is None or ci[1] <= high)


def checked_sentence(n_tests: int) -> str:
    """The plain-words end of every evidence line: the statistics' names go in the details."""
    return f"It holds after checking all {n_tests} comparisons made for this business."


#: The test behind each kind of claim, as the details name it.
TESTS = {
    "posting_time": "one-sided Mann–Whitney U test against your posts at other times",
    "content_type": "two-sided Mann–Whitney U test against the other posts of the same platform",
    "platform_trend": "Spearman rank correlation between publication day and engagement per post",
    "hashtag": "two-sided Mann–Whitney U test against the posts without the tag",
    "caption_feature": "two-sided Mann–Whitney U test against the other captioned posts",
}


def detail(kind: str, c: Comparison, n_tests: int) -> str:
    """How a claim was tested, for those who ask (the HTML's disclosure under the evidence):
    the test, its p-value and the q-value of the false-discovery control."""
    return (f"Tested with a {TESTS[kind]}: p = {c.p_value:.2g}, q = {c.q_value:.2g} after "
            f"holding the false-discovery rate at {config.FDR_Q * 100:.0f} % across all "
            f"{n_tests} comparisons (Benjamini–Hochberg).")


def interval(ci: tuple[float | None, float | None], fmt: str) -> str:
    if ci[0] is None or ci[1] is None:
        return ""
    return f" (95 % interval {format(ci[0], fmt)}–{format(ci[1], fmt)}×)"


def timing_claim(
    c: Comparison, rng: np.random.Generator, span: str, n_tests: int
) -> Recommendation:
    ci = c.interval(rng)
    day_plural = WEEKDAYS[c.key["weekday"] - 1] + "s"
    start, end = c.key["hour"], c.key["hour"] + config.POSTING_BLOCK_HOURS
    firm = clears(ci, low=config.MIN_TIMING_LIFT)
    when = f"{day_plural} between {start:02d}:00 and {end % 24:02d}:00"
    return Recommendation(
        kind="posting_time",
        subject=window_label(c.key["weekday"], c.key["hour"]),
        claim=(
            f"Post on {when}: posts then earn about {c.effect:.1f}× your typical engagement "
            "rate." if firm else
            f"Posts on {when} may do better: about {c.effect:.1f}× your typical engagement "
            f"rate, but the gain could be smaller than ×{config.MIN_TIMING_LIFT}. Worth a try."
        ),
        evidence_text=(
            f"{c.group.size} posts in that window, {span}: their median engagement rate is "
            f"{c.effect:.2f}× your typical post on the same platform and format"
            f"{interval(ci, '.2f')}, against {c.median_rest:.2f}× for the {c.rest.size} posts "
            f"at other times. {checked_sentence(n_tests)}"
        ),
        evidence_detail=detail("posting_time", c, n_tests),
        confidence=confidence(c.q_value),
        evidence=evidence(c, ci, n_tests, firm=firm, weekday=c.key["weekday"],
                          hour=c.key["hour"],
                              measure="median engagement rate relative to the typical post"),
    )


def format_claim(
    c: Comparison, rng: np.random.Generator, span: str, n_tests: int
) -> Recommendation:
    ci = c.interval(rng)
    plat = platform_name(c.key["platform"])
    label = type_label(c.key["content_type"])
    firm = clears(ci, low=config.MIN_TYPE_RATIO)
    # "Video earns", "Text posts earn": the verb agrees with the label
    earns = "earn" if label.endswith("s") else "earns"
    return Recommendation(
        kind="content_type",
        subject=f"{label} on {plat}",
        claim=(
            f"{label} on {plat} {earns} about {c.effect:.1f}× the engagement rate of your other "
            f"{plat} posts: make more of it." if firm else
            f"{label} on {plat} may {earns.removesuffix('s')} more: about {c.effect:.1f}× the "
            f"engagement rate of your other {plat} posts, though the gain could be smaller "
            f"than ×{config.MIN_TYPE_RATIO}. Try a few more and watch."
        ),
        evidence_text=(
            f"Median engagement rate {c.median:.1f} % over {c.group.size} posts against "
            f"{c.median_rest:.1f} % over {c.rest.size} other {plat} posts, {span}"
            f"{interval(ci, '.2f')}. {checked_sentence(n_tests)}"
        ),
        evidence_detail=detail("content_type", c, n_tests),
        confidence=confidence(c.q_value),
        evidence=evidence(c, ci, n_tests, firm=firm, platform=c.key["platform"],
                              content_type=c.key["content_type"],
                              measure="ratio of median engagement rates"),
    )


def trend_claim(c: Comparison, rng: np.random.Generator, n_tests: int,
                best_rate: float | None = None) -> Recommendation:
    """A platform rising or falling. ``best_rate``: the platform's median engagement rate
    when it is still the best of the business's platforms, so a falling platform says both
    (fewer people engage per post, but those who see it engage the most)."""
    ci = c.interval(rng)
    change = (c.effect - 1) * 100
    plat = platform_name(c.key["platform"])
    recent_weeks = round(config.TREND_RECENT_DAYS / 7)
    bar = config.MIN_TREND_CHANGE
    firm = clears(ci, high=1 - bar) if change < 0 else clears(ci, low=1 + bar)
    if change < 0:
        claim = (f"Engagement per post on {plat} is falling: recent posts earn about "
                 f"{abs(change):.0f} % less than earlier ones. Review what changed on {plat}, or "
                 "move effort to platforms that hold up." if firm else
                 f"Engagement per post on {plat} may be falling: recent posts earn about "
                 f"{abs(change):.0f} % less than earlier ones, though the drop could be smaller "
                 f"than {bar * 100:.0f} %. Keep an eye on {plat}.")
    else:
        claim = (f"Engagement per post on {plat} is rising: recent posts earn about "
                 f"{change:.0f} % more than earlier ones. Keep it going." if firm else
                 f"Engagement per post on {plat} may be rising: recent posts earn about "
                 f"{change:.0f} % more than earlier ones, though the rise could be smaller "
                 f"than {bar * 100:.0f} %.")
    if change < 0 and best_rate is not None:
        claim += (f" Its engagement rate is still your best of any platform ({best_rate:.1f} % "
                  "for the median post): fewer people engage per post, but those who see a post "
                  "engage the most.")
    interval = ""
    if ci[0] is not None and ci[1] is not None:
        interval = f" (95 % interval {(ci[0] - 1) * 100:+.0f} % to {(ci[1] - 1) * 100:+.0f} %)"
    return Recommendation(
        kind="platform_trend",
        subject=plat,
        claim=claim,
        evidence_text=(
            f"Median {c.median:,.0f} engagements per post (counted at "
            f"{config.INSIGHT_FIXED_AGE_DAYS} days old) over {c.group.size} posts in the last "
            f"{recent_weeks} weeks against {c.median_rest:,.0f} over {c.rest.size} posts "
            f"since {fmt_day(date.fromisoformat(c.key['earlier_start']))}{interval}. "
            f"{checked_sentence(n_tests)}"
        ),
        evidence_detail=detail("platform_trend", c, n_tests),
        confidence=confidence(c.q_value),
        evidence=evidence(c, ci, n_tests, firm=firm, platform=c.key["platform"],
                              change_percent=change, best_engagement_rate=best_rate,
                              measure="ratio of median engagement per post"),
    )


def posts(count: int) -> str:
    """``1 post``, ``12 posts``: singular and plural right."""
    return f"{count:,} post{'' if count == 1 else 's'}"


def timing_note(timed: int, total: int, windows: list[dict], tested: list[Comparison],
                 span: str) -> Note:
    untimed = total - timed
    more = "1 more post" if untimed == 1 else f"{untimed} more posts"
    extra = (f" ({more} came from exports without an hour and count"
             f"{'s' if untimed == 1 else ''} for weekdays only)") if untimed else ""
    if timed < config.MIN_POSTS_FOR_TIMING:
        text = (f"Not enough posts yet to say which times work best ({posts(timed)} with a known "
                f"hour in the {span}; we need about {config.MIN_POSTS_FOR_TIMING}){extra}.")
    elif not tested:
        busiest = max(w["posts"] for w in windows)
        text = (f"Not enough posts in any one weekday-and-time window to compare them yet (the "
                f"busiest has {busiest}; we need {config.MIN_POSTS_PER_WINDOW}){extra}.")
    else:
        text = (f"No posting time stood out: none of the {len(tested)} weekday-and-time windows "
                f"with {config.MIN_POSTS_PER_WINDOW} or more posts did clearly better than your "
                f"other times ({posts(timed)}, {span}){extra}. Hours without posts cannot be "
                "judged.")
    return Note("posting_time", text)


def format_note(tested: list[Comparison], span: str) -> Note:
    if not tested:
        text = (f"Not enough posts of each format on one platform to compare formats yet (we need "
                f"{config.MIN_POSTS_PER_GROUP} posts of a format and {config.MIN_POSTS_PER_GROUP} "
                f"others on the same platform, {span}).")
    else:
        text = (f"No format clearly outperforms the others on its platform ({len(tested)} "
                f"comparisons, {span}).")
    return Note("content_type", text)


def trend_note(tested: list[Comparison], span: str,
               intervals: list[tuple[float | None, float | None]] | None = None) -> Note:
    if not tested:
        text = (f"Not enough history to tell whether any platform is rising or falling (we need "
                f"{config.MIN_POSTS_FOR_TREND} posts in the last "
                f"{round(config.TREND_RECENT_DAYS / 7)} weeks and {config.MIN_POSTS_FOR_TREND} "
                "before, on one platform).")
    else:
        # "held steady" only where the interval rules out a change worth acting on
        bar = config.MIN_TREND_CHANGE
        steady = [c for c, ci in zip(tested, intervals or [(None, None)] * len(tested),
                                     strict=True) if clears(ci, low=1 - bar, high=1 + bar)]
        unclear = [c for c in tested if c not in steady]

        def names(group: list[Comparison]) -> str:
            return ", ".join(platform_name(c.key["platform"]) for c in group)

        parts = []
        if steady:
            parts.append(f"Engagement per post held steady on {names(steady)} (within "
                         f"±{bar * 100:.0f} %)")
        if unclear:
            parts.append(f"{'on' if steady else 'On'} {names(unclear)} there is no clear change "
                         "either way: the posts so far cannot tell a real change from the "
                         "ups and downs of single posts")
        text = "; ".join(parts) + f" ({span})."
    return Note("platform_trend", text)


def content_claim(
    c: Comparison, rng: np.random.Generator, span: str, n_tests: int
) -> Recommendation:
    """A hashtag (``kind="hashtag"``, values relative to the typical post) or a caption feature
    (``kind="caption_feature"``, ratio against the other captioned posts)."""
    ci = c.interval(rng)
    more = c.effect >= 1
    if c.kind == "hashtag":
        tag = "#" + c.key["tag"]
        advice = "use it where it fits." if more else "it is not helping."
        claim = (f"Posts with {tag} earn about {c.effect:.1f}× your typical engagement rate: "
                 f"{advice}")
        text = (f"{c.group.size} posts with {tag}, {span}: their median engagement rate is "
                f"{c.effect:.2f}× your typical post on the same platform and format"
                f"{interval(ci, '.2f')}, against {c.median_rest:.2f}× for the {c.rest.size} "
                f"posts without it. {checked_sentence(n_tests)}")
        return Recommendation(
            kind="hashtag", subject=tag, claim=claim, evidence_text=text,
            evidence_detail=detail("hashtag", c, n_tests), confidence=confidence(c.q_value),
            evidence=evidence(c, ci, n_tests, tag=c.key["tag"],
                              measure="median engagement rate relative to the typical post"),
        )
    label = c.key["label"]
    advice = "write more of them." if more else "write fewer of them."
    claim = (f"{label[0].upper() + label[1:]} earn about {c.effect:.1f}× the engagement rate of "
             f"your other captions: {advice}")
    text = (f"{c.group.size} posts with {label} earn a median {c.median:.2f}× your typical post "
            f"against {c.median_rest:.2f}× for {c.rest.size} other posts with a caption, {span}"
            f"{interval(ci, '.2f')}. {checked_sentence(n_tests)}")
    return Recommendation(
        kind="caption_feature", subject=label, claim=claim, evidence_text=text,
        evidence_detail=detail("caption_feature", c, n_tests), confidence=confidence(c.q_value),
        evidence=evidence(c, ci, n_tests, feature=c.key["feature"],
                          measure="ratio of median relative engagement rates"),
    )
