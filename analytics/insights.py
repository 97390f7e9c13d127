"""Insights that are true: posting times, formats and platform trends, with their evidence.

The methods follow ``INSIGHTS.md``. In short:

* posts are compared at a fixed age (``config.INSIGHT_FIXED_AGE_DAYS``) over a long lookback
  (``config.INSIGHT_LOOKBACK_DAYS``) ending on the period's last day;
* posting times are judged on each post's engagement rate *relative* to the business's typical
  post of the same platform and format (the median), so neither one viral post nor the
  platform mix decides; hours are local to the business, in weekday × 3-hour windows so that
  cells gather samples, and a window needs ``MIN_POSTS_PER_WINDOW`` posts to be tested;
* formats are compared within a platform; a platform trend is a rank correlation between
  publication day and engagement per post, reported as the recent weeks against the weeks before;
* windows and formats are compared by Mann–Whitney U tests; the false-discovery rate is
  controlled (Benjamini–Hochberg) across *all* the tests made for one business, so a business
  with no real effect almost never gets a claim;
* a claim also needs an effect worth acting on, and carries its effect size with a bootstrap
  interval, the sample sizes on both sides and the window of data behind it. Where the data
  cannot support a claim, a note says so plainly instead.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import numpy as np
from scipy import special, stats

from analytics import config

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
PLATFORM_NAMES = {
    "x": "X",
    "facebook": "Facebook",
    "instagram": "Instagram",
    "linkedin": "LinkedIn",
    "tiktok": "TikTok",
    "youtube": "YouTube",
}
#: Plural labels for content types in sentences ("Video on LinkedIn", "Carousels on Instagram").
TYPE_LABELS = {
    "video": "Video",
    "image": "Images",
    "text": "Text posts",
    "link": "Link posts",
    "carousel": "Carousels",
    "reel": "Reels",
    "short": "Shorts",
    "story": "Stories",
    "document": "Documents",
    "article": "Articles",
    "live": "Live videos",
}


def platform_name(platform: str) -> str:
    return PLATFORM_NAMES.get(platform, platform.title())


def type_label(content_type: str) -> str:
    return TYPE_LABELS.get(content_type, content_type.replace("_", " ").capitalize())


def window_label(weekday: int, block_start: int) -> str:
    """``Tuesday 18:00–21:00`` for weekday 2 (ISO, Monday = 1) and the block starting at 18."""
    end = block_start + config.POSTING_BLOCK_HOURS
    return f"{WEEKDAYS[weekday - 1]} {block_start:02d}:00–{end % 24:02d}:00"


# --- statistics ---------------------------------------------------------------------------------


def median(values: np.ndarray) -> float:
    """The median of a non-empty 1-D array (np.median without its per-call overhead)."""
    n = values.size
    half = n // 2
    if n % 2:
        return float(np.partition(values, half)[half])
    low, high = np.partition(values, (half - 1, half))[half - 1: half + 1]
    return float((low + high) / 2)


def _ranks(values: np.ndarray) -> tuple[np.ndarray, float]:
    """Average ranks (1-based, ties share their mean rank) and the tie term Σ(t³ − t).

    The same ranking as ``scipy.stats.rankdata(values)``, without its per-call overhead.
    """
    order = np.argsort(values, kind="mergesort")
    ordered = values[order]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    bounds = np.r_[starts, values.size]
    dense = np.cumsum(np.r_[True, ordered[1:] != ordered[:-1]]) - 1
    ranks = np.empty(values.size)
    ranks[order] = (bounds[dense] + bounds[dense + 1] + 1) / 2
    ties = np.diff(bounds).astype(float)
    return ranks, float((ties**3 - ties).sum())


def rank_sum_pvalues(values: np.ndarray, groups: np.ndarray, alternative: str) -> np.ndarray:
    """Mann–Whitney U p-values of each group against the rest of ``values``, in one ranking.

    ``groups`` is a (k, n) boolean array, one row per group. The result equals
    ``scipy.stats.mannwhitneyu(values[g], values[~g], alternative=…, method="asymptotic")`` for
    each row ``g`` (normal approximation with tie and continuity corrections; the test suite
    checks this) but ranks the pool once instead of k times, which matters over a thousand
    businesses.
    """
    values = np.asarray(values, dtype=float)
    groups = np.atleast_2d(np.asarray(groups, dtype=bool))
    n = values.size
    if groups.shape[0] == 0:
        return np.empty(0)
    ranks, tie_term = _ranks(values)
    n1 = groups.sum(axis=1).astype(float)
    n2 = n - n1
    u1 = groups.astype(float) @ ranks - n1 * (n1 + 1) / 2
    u2 = n1 * n2 - u1
    if alternative == "greater":
        u, factor = u1, 1.0
    elif alternative == "less":
        u, factor = u2, 1.0
    elif alternative == "two-sided":
        u, factor = np.maximum(u1, u2), 2.0
    else:
        raise ValueError(f"unknown alternative {alternative!r}")
    mu = n1 * n2 / 2
    with np.errstate(divide="ignore", invalid="ignore"):
        sigma = np.sqrt(n1 * n2 / 12 * ((n + 1) - tie_term / (n * (n - 1))))
        z = (u - mu - 0.5) / sigma
        p = np.clip(special.ndtr(-z) * factor, 0.0, 1.0)
    return np.where(np.isfinite(p), p, 1.0)


def bootstrap_ratio_ci(
    group: np.ndarray,
    reference: np.ndarray | None,
    rng: np.random.Generator,
    level: float = 0.95,
) -> tuple[float | None, float | None]:
    """Percentile bootstrap interval of median(group) / median(reference), or of
    median(group) alone when there is no reference (values already relative to typical)."""
    resamples = config.BOOTSTRAP_RESAMPLES
    stat = np.median(group[rng.integers(0, group.size, size=(resamples, group.size))], axis=1)
    if reference is not None:
        ref = np.median(
            reference[rng.integers(0, reference.size, size=(resamples, reference.size))], axis=1
        )
        with np.errstate(divide="ignore", invalid="ignore"):
            stat = stat / ref
    stat = stat[np.isfinite(stat)]
    if stat.size == 0:
        return (None, None)
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(stat, [tail, 100 - tail])
    return float(low), float(high)


@dataclass
class _Comparison:
    """One hypothesis test: a group of posts against the rest of its pool.

    ``effect`` is median(group) / median(rest); for posting times, whose values are already
    relative to the business's typical post, it is median(group) itself (``relative=True``).
    """

    kind: str  # posting_time | content_type | platform_trend
    key: dict[str, Any]
    group: np.ndarray  # the values of the group (relative ER, ER or engagement)
    rest: np.ndarray
    p_value: float
    relative: bool = False
    q_value: float = 1.0

    def __post_init__(self) -> None:
        self.median = median(self.group)
        self.median_rest = median(self.rest)
        if self.relative:
            self.effect = self.median
        else:
            self.effect = self.median / self.median_rest if self.median_rest else None

    def interval(self, rng: np.random.Generator) -> tuple[float | None, float | None]:
        return bootstrap_ratio_ci(self.group, None if self.relative else self.rest, rng)


# --- the analysis -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Insights:
    best_posting_times: list[dict[str, Any]] = field(default_factory=list)
    posting_weekdays: list[dict[str, Any]] = field(default_factory=list)
    top_content_types: list[dict[str, Any]] = field(default_factory=list)
    format_comparisons: list[dict[str, Any]] = field(default_factory=list)
    platform_trends: list[dict[str, Any]] = field(default_factory=list)
    recommendations: list[dict[str, Any]] = field(default_factory=list)
    notes: list[dict[str, Any]] = field(default_factory=list)
    basis: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "best_posting_times": self.best_posting_times,
            "posting_weekdays": self.posting_weekdays,
            "top_content_types": self.top_content_types,
            "format_comparisons": self.format_comparisons,
            "platform_trends": self.platform_trends,
            "recommendations": self.recommendations,
            "notes": self.notes,
            "basis": self.basis,
        }


def _fmt_day(day: date) -> str:
    return f"{day.day} {day.strftime('%b %Y')}"


def _optional_median(values: np.ndarray) -> float | None:
    return median(values) if values.size else None


def _relative_er(platform: np.ndarray, ctype: np.ndarray, er: np.ndarray) -> np.ndarray:
    """Each post's ER divided by the median ER of its platform and format (its platform's when
    the format has fewer than 5 posts), so posting times are compared like with like."""
    rel = np.full(er.size, np.nan)
    for plat in np.unique(platform):
        on_platform = platform == plat
        platform_median = median(er[on_platform])
        for kind in np.unique(ctype[on_platform]):
            members = on_platform & (ctype == kind)
            base = median(er[members]) if members.sum() >= 5 else platform_median
            if base > 0:
                rel[members] = er[members] / base
    return rel


#: The columns :func:`analyse` reads (see ``queries/insight_posts.sql``), empty.
EMPTY_POSTS: dict[str, np.ndarray] = {
    "platform": np.empty(0, dtype=object),
    "content_type": np.empty(0, dtype=object),
    "day": np.empty(0, dtype=int),
    "weekday": np.empty(0, dtype=int),
    "hour": np.empty(0, dtype=float),
    "engagement": np.empty(0, dtype=float),
    "engagement_rate": np.empty(0, dtype=float),
}


def analyse(
    business_id: str,
    posts: dict[str, np.ndarray],
    content_types: list[dict[str, Any]],
    lookback_start: date,
    end: date,
    as_of: date,
) -> Insights:
    """The insights of one business from its ``insight_posts`` columns (see the SQL file):
    ``platform``, ``content_type``, ``day`` (date ordinal), ``weekday`` (1 = Monday),
    ``hour`` (NaN when unknown), ``engagement`` and ``engagement_rate`` at the fixed age."""
    platform = np.asarray(posts["platform"], dtype=object)
    ctype = np.asarray(posts["content_type"], dtype=object)
    weekday = np.asarray(posts["weekday"], dtype=int)
    hour = np.asarray(posts["hour"], dtype=float)
    er = np.asarray(posts["engagement_rate"], dtype=float)
    engagement = np.asarray(posts["engagement"], dtype=float)
    day = np.asarray(posts["day"], dtype=int)
    weeks = round(((end - lookback_start).days + 1) / 7)
    span = f"{weeks} weeks to {_fmt_day(end)}"
    basis = {
        "lookback_start": lookback_start.isoformat(),
        "end": end.isoformat(),
        "posts": int(platform.size),
        "timed_posts": int((~np.isnan(hour)).sum()),
        "fixed_age_days": config.INSIGHT_FIXED_AGE_DAYS,
        "false_discovery_rate": config.FDR_Q,
        "comparisons": 0,
    }
    top_types = [
        {
            "content_type": r["content_type"],
            "posts": r["posts"],
            "platforms": list(r["platforms"]),
            "views": r["views"],
            "engagement": r["engagement"],
            "engagement_rate": r["engagement_rate"],
        }
        for r in content_types
    ]
    rel = _relative_er(platform, ctype, er)
    windows, timing = _posting_windows(weekday, hour, rel)
    formats = _format_comparisons(platform, ctype, er)
    trends = _trend_comparisons(platform, engagement, day, end, as_of)
    comparisons = timing + formats + trends
    if comparisons:
        q_values = stats.false_discovery_control([c.p_value for c in comparisons], method="bh")
        for comparison, q in zip(comparisons, q_values, strict=True):
            comparison.q_value = float(q)
    n_tests = basis["comparisons"] = len(comparisons)
    rng_for = _rng_factory(business_id)
    recommendations: list[dict[str, Any]] = []
    notes: list[dict[str, Any]] = []
    if not platform.size:
        notes.append({"topic": "data",
                      "text": f"No posts with views in the {span}: nothing to learn from yet."})

    # posting times
    cells = {(w["weekday"], w["hour"]): w for w in windows}
    timing_claims = 0
    for c in timing:
        cell = cells[(c.key["weekday"], c.key["hour"])]
        cell.update(p_value=c.p_value, q_value=c.q_value)
        if c.q_value <= config.FDR_Q and c.effect >= config.MIN_TIMING_LIFT:
            cell["recommended"] = True
            timing_claims += 1
            recommendations.append(_timing_claim(c, rng_for(c), span, n_tests))
    if platform.size and not timing_claims:
        notes.append(_timing_note(basis["timed_posts"], basis["posts"], windows, timing, span))

    # formats, within each platform
    format_rows = []
    for c in formats:
        claimed = (c.q_value <= config.FDR_Q and c.effect is not None
                   and c.effect >= config.MIN_TYPE_RATIO)
        format_rows.append(c.key | {
            "posts": int(c.group.size), "other_posts": int(c.rest.size),
            "median_engagement_rate": c.median, "other_median_engagement_rate": c.median_rest,
            "ratio": c.effect, "p_value": c.p_value, "q_value": c.q_value,
            "recommended": claimed,
        })
        if claimed:
            recommendations.append(_format_claim(c, rng_for(c), span, n_tests))
    if platform.size and not any(r["recommended"] for r in format_rows):
        notes.append(_format_note(formats, span))

    # platform trends
    trend_rows = []
    for c in trends:
        change = None if c.effect is None else (c.effect - 1) * 100
        claimed = (c.q_value <= config.FDR_Q and change is not None
                   and abs(change) >= config.MIN_TREND_CHANGE * 100)
        trend_rows.append(c.key | {
            "recent_posts": int(c.group.size), "earlier_posts": int(c.rest.size),
            "recent_median_engagement": c.median, "earlier_median_engagement": c.median_rest,
            "change": change, "p_value": c.p_value, "q_value": c.q_value,
            "significant": claimed,
        })
        if claimed:
            recommendations.append(_trend_claim(c, rng_for(c), n_tests))
    if platform.size and not any(r["significant"] for r in trend_rows):
        notes.append(_trend_note(trends, span))

    recommendations.sort(key=lambda r: (r["evidence"]["q_value"], r["kind"], r["subject"]))
    return Insights(
        best_posting_times=windows,
        posting_weekdays=_weekdays(weekday, rel),
        top_content_types=top_types,
        format_comparisons=format_rows,
        platform_trends=trend_rows,
        recommendations=recommendations,
        notes=notes,
        basis=basis,
    )


def _rng_factory(business_id: str):
    """A random generator per comparison, seeded from its identity: reruns give equal bytes."""

    def rng_for(c: _Comparison) -> np.random.Generator:
        ident = f"{business_id}|{c.kind}|{sorted(c.key.items())}".encode()
        return np.random.default_rng(zlib.crc32(ident))

    return rng_for


BLOCKS = tuple(range(0, 24, config.POSTING_BLOCK_HOURS))


def _posting_windows(
    weekday: np.ndarray, hour: np.ndarray, rel: np.ndarray
) -> tuple[list[dict[str, Any]], list[_Comparison]]:
    """The weekday × 3-hour grid (for the heat map) and one test per well-filled window.

    A window's value is the median engagement rate of its posts relative to the business's
    typical post (1.0 = typical); a window with fewer than ``MIN_POSTS_PER_WINDOW`` posts is
    marked thin and never tested, let alone recommended.
    """
    timed = ~np.isnan(hour) & ~np.isnan(rel)
    values = rel[timed]
    cell = (weekday[timed] - 1) * len(BLOCKS) + (hour[timed] // config.POSTING_BLOCK_HOURS)
    cell = cell.astype(int)
    counts = np.bincount(cell, minlength=7 * len(BLOCKS))
    # per-cell medians in one sort: order by (cell, value), then read the middle of each run
    order = np.lexsort((values, cell))
    sorted_values = values[order]
    starts = np.r_[0, np.cumsum(counts)[:-1]]
    windows, testable = [], []
    for index, (weekday_no, block) in enumerate((d, b) for d in range(1, 8) for b in BLOCKS):
        count = int(counts[index])
        mid = None
        if count:
            a = starts[index] + (count - 1) // 2
            b = starts[index] + count // 2
            mid = float((sorted_values[a] + sorted_values[b]) / 2)
        windows.append({
            "weekday": weekday_no,
            "weekday_name": WEEKDAYS[weekday_no - 1],
            "hour": block,
            "hours": f"{block:02d}:00–{(block + config.POSTING_BLOCK_HOURS) % 24:02d}:00",
            "posts": count,
            "median_relative_er": mid,
            "thin": count < config.MIN_POSTS_PER_WINDOW,
            "p_value": None,
            "q_value": None,
            "recommended": False,
        })
        if (values.size >= config.MIN_POSTS_FOR_TIMING
                and count >= config.MIN_POSTS_PER_WINDOW
                and values.size - count >= config.MIN_POSTS_PER_WINDOW):
            testable.append(index)
    if not testable:
        return windows, []
    masks = cell[None, :] == np.array(testable)[:, None]
    p_values = rank_sum_pvalues(values, masks, "greater")
    comparisons = [
        _Comparison(
            kind="posting_time",
            key={"weekday": windows[index]["weekday"], "hour": windows[index]["hour"]},
            group=values[members],
            rest=values[~members],
            p_value=float(p),
            relative=True,
        )
        for index, members, p in zip(testable, masks, p_values, strict=True)
    ]
    return windows, comparisons


def _weekdays(weekday: np.ndarray, rel: np.ndarray) -> list[dict[str, Any]]:
    """Posts per local weekday, including posts whose export gave no hour."""
    known = ~np.isnan(rel)
    return [
        {
            "weekday": d,
            "weekday_name": WEEKDAYS[d - 1],
            "posts": int((weekday == d).sum()),
            "median_relative_er": _optional_median(rel[(weekday == d) & known]),
        }
        for d in range(1, 8)
    ]


def _format_comparisons(
    platform: np.ndarray, ctype: np.ndarray, er: np.ndarray
) -> list[_Comparison]:
    """Each format against the other posts of the same platform (two-sided)."""
    comparisons = []
    for plat in sorted(set(platform)):
        on_platform = platform == plat
        values = er[on_platform]
        kinds = ctype[on_platform]
        masks, names = [], []
        for kind in sorted(set(kinds)):
            members = kinds == kind
            if (members.sum() >= config.MIN_POSTS_PER_GROUP
                    and (~members).sum() >= config.MIN_POSTS_PER_GROUP):
                masks.append(members)
                names.append(kind)
        if not masks:
            continue
        p_values = rank_sum_pvalues(values, np.array(masks), "two-sided")
        comparisons += [
            _Comparison(
                kind="content_type",
                key={"platform": plat, "content_type": kind},
                group=values[members],
                rest=values[~members],
                p_value=float(p),
            )
            for kind, members, p in zip(names, masks, p_values, strict=True)
        ]
    return comparisons


def _trend_comparisons(
    platform: np.ndarray, engagement: np.ndarray, day: np.ndarray, end: date, as_of: date
) -> list[_Comparison]:
    """Is engagement per post (at the fixed age) drifting on a platform?

    The test is Spearman's rank correlation between publication day and engagement over the
    whole lookback (a steady decline shows in every week, so this uses all the posts rather
    than two halves); the effect reported is the plainer comparison a client can picture: the
    median of the recent weeks against the median of the weeks before.
    """
    recent_start = (end - timedelta(days=config.TREND_RECENT_DAYS - 1)).toordinal()
    # only posts old enough to have reached the fixed age are comparable
    mature = day <= (min(end, as_of) - timedelta(days=config.INSIGHT_FIXED_AGE_DAYS)).toordinal()
    comparisons = []
    for plat in sorted(set(platform)):
        pool = (platform == plat) & mature
        recent = pool & (day >= recent_start)
        earlier = pool & (day < recent_start)
        if recent.sum() < config.MIN_POSTS_FOR_TREND or earlier.sum() < config.MIN_POSTS_FOR_TREND:
            continue
        if np.ptp(engagement[pool]) == 0:
            continue  # nothing varies: no trend to test
        p = stats.spearmanr(day[pool], engagement[pool]).pvalue
        comparisons.append(
            _Comparison(
                kind="platform_trend",
                key={
                    "platform": plat,
                    "recent_start": date.fromordinal(recent_start).isoformat(),
                    "earlier_start": date.fromordinal(int(day[earlier].min())).isoformat(),
                },
                group=engagement[recent],
                rest=engagement[earlier],
                p_value=float(p) if np.isfinite(p) else 1.0,
            )
        )
    return comparisons


# --- words ----------------------------------------------------------------------------------------


def _confidence(q_value: float) -> str:
    return "high" if q_value <= 0.001 else "moderate"


def _evidence(c: _Comparison, ci: tuple[float | None, float | None], n_tests: int,
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


def _fdr_sentence(n_tests: int) -> str:
    return (f"It holds after checking all {n_tests} comparisons made for this business "
            f"(false-discovery rate {config.FDR_Q * 100:.0f} %).")


def _interval(ci: tuple[float | None, float | None], fmt: str) -> str:
    if ci[0] is None or ci[1] is None:
        return ""
    return f" (95 % interval {format(ci[0], fmt)}–{format(ci[1], fmt)}×)"


def _timing_claim(c: _Comparison, rng: np.random.Generator, span: str, n_tests: int) -> dict:
    ci = c.interval(rng)
    day_plural = WEEKDAYS[c.key["weekday"] - 1] + "s"
    start, end = c.key["hour"], c.key["hour"] + config.POSTING_BLOCK_HOURS
    return {
        "kind": "posting_time",
        "subject": window_label(c.key["weekday"], c.key["hour"]),
        "claim": (
            f"Post on {day_plural} between {start:02d}:00 and {end % 24:02d}:00: posts then earn "
            f"about {c.effect:.1f}× your typical engagement rate."
        ),
        "evidence_text": (
            f"{c.group.size} posts in that window, {span}: their median engagement rate is "
            f"{c.effect:.2f}× your typical post on the same platform and format"
            f"{_interval(ci, '.2f')}, against {c.median_rest:.2f}× for the {c.rest.size} posts "
            f"at other times. {_fdr_sentence(n_tests)}"
        ),
        "confidence": _confidence(c.q_value),
        "evidence": _evidence(c, ci, n_tests, weekday=c.key["weekday"], hour=c.key["hour"],
                              measure="median engagement rate relative to the typical post"),
    }


def _format_claim(c: _Comparison, rng: np.random.Generator, span: str, n_tests: int) -> dict:
    ci = c.interval(rng)
    plat = platform_name(c.key["platform"])
    label = type_label(c.key["content_type"])
    return {
        "kind": "content_type",
        "subject": f"{label} on {plat}",
        "claim": (
            f"{label} on {plat} earns about {c.effect:.1f}× the engagement rate of your other "
            f"{plat} posts: make more of it."
        ),
        "evidence_text": (
            f"Median engagement rate {c.median:.1f} % over {c.group.size} posts against "
            f"{c.median_rest:.1f} % over {c.rest.size} other {plat} posts, {span}"
            f"{_interval(ci, '.2f')}. {_fdr_sentence(n_tests)}"
        ),
        "confidence": _confidence(c.q_value),
        "evidence": _evidence(c, ci, n_tests, platform=c.key["platform"],
                              content_type=c.key["content_type"],
                              measure="ratio of median engagement rates"),
    }


def _trend_claim(c: _Comparison, rng: np.random.Generator, n_tests: int) -> dict:
    ci = c.interval(rng)
    change = (c.effect - 1) * 100
    plat = platform_name(c.key["platform"])
    recent_weeks = round(config.TREND_RECENT_DAYS / 7)
    if change < 0:
        claim = (f"Engagement per post on {plat} is falling: recent posts earn about "
                 f"{abs(change):.0f} % less than earlier ones. Review what changed on {plat}, or "
                 "move effort to platforms that hold up.")
    else:
        claim = (f"Engagement per post on {plat} is rising: recent posts earn about "
                 f"{change:.0f} % more than earlier ones. Keep it going.")
    interval = ""
    if ci[0] is not None and ci[1] is not None:
        interval = f" (95 % interval {(ci[0] - 1) * 100:+.0f} % to {(ci[1] - 1) * 100:+.0f} %)"
    return {
        "kind": "platform_trend",
        "subject": plat,
        "claim": claim,
        "evidence_text": (
            f"Median {c.median:,.0f} engagements per post (counted at "
            f"{config.INSIGHT_FIXED_AGE_DAYS} days old) over {c.group.size} posts in the last "
            f"{recent_weeks} weeks against {c.median_rest:,.0f} over {c.rest.size} posts "
            f"since {_fmt_day(date.fromisoformat(c.key['earlier_start']))}{interval}. "
            f"{_fdr_sentence(n_tests)}"
        ),
        "confidence": _confidence(c.q_value),
        "evidence": _evidence(c, ci, n_tests, platform=c.key["platform"],
                              change_percent=change,
                              measure="ratio of median engagement per post"),
    }


def _timing_note(timed: int, total: int, windows: list[dict], tested: list[_Comparison],
                 span: str) -> dict:
    untimed = total - timed
    extra = (f" ({untimed} more posts came from exports without an hour and count for weekdays "
             "only)") if untimed else ""
    if timed < config.MIN_POSTS_FOR_TIMING:
        text = (f"Not enough posts yet to say which times work best ({timed} posts with a known "
                f"hour in the {span}; we need about {config.MIN_POSTS_FOR_TIMING}){extra}.")
    elif not tested:
        busiest = max(w["posts"] for w in windows)
        text = (f"Not enough posts in any one weekday-and-time window to compare them yet (the "
                f"busiest has {busiest}; we need {config.MIN_POSTS_PER_WINDOW}){extra}.")
    else:
        text = (f"No posting time stood out: the {len(tested)} weekday-and-time windows with "
                f"{config.MIN_POSTS_PER_WINDOW} or more posts perform alike within the noise "
                f"({timed} posts, {span}){extra}. Hours without posts cannot be judged.")
    return {"topic": "posting_time", "text": text}


def _format_note(tested: list[_Comparison], span: str) -> dict:
    if not tested:
        text = (f"Not enough posts of each format on one platform to compare formats yet (we need "
                f"{config.MIN_POSTS_PER_GROUP} posts of a format and {config.MIN_POSTS_PER_GROUP} "
                f"others on the same platform, {span}).")
    else:
        text = (f"No format clearly outperforms the others on its platform ({len(tested)} "
                f"comparisons, {span}).")
    return {"topic": "content_type", "text": text}


def _trend_note(tested: list[_Comparison], span: str) -> dict:
    if not tested:
        text = (f"Not enough history to tell whether any platform is rising or falling (we need "
                f"{config.MIN_POSTS_FOR_TREND} posts in the last "
                f"{round(config.TREND_RECENT_DAYS / 7)} weeks and {config.MIN_POSTS_FOR_TREND} "
                "before, on one platform).")
    else:
        names = ", ".join(platform_name(c.key["platform"]) for c in tested)
        text = f"Engagement per post held steady on every platform compared ({names}; {span})."
    return {"topic": "platform_trend", "text": text}
