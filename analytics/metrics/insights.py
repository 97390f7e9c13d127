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
from collections.abc import Sequence
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy import stats

from analytics import config
from analytics.metrics import claims
from analytics.metrics.labels import WEEKDAYS, fmt_day
from analytics.metrics.results import (
    ContentTypeRow,
    FormatComparison,
    InsightBasis,
    Insights,
    Note,
    PlatformTrend,
    PostingWeekday,
    PostingWindow,
    Recommendation,
)
from analytics.metrics.stats import Comparison, median, rank_sum_pvalues

if TYPE_CHECKING:
    from analytics.metrics.snapshot import Snapshot


def _optional_median(values: np.ndarray) -> float | None:
    return median(values) if values.size else None


def _best_rate_platform(platform: np.ndarray, er: np.ndarray) -> tuple[str, float] | None:
    """The platform whose posts have the highest median engagement rate over the lookback
    (among platforms with ``MIN_POSTS_FOR_TREND`` posts), with that median."""
    medians = {p: median(er[platform == p]) for p in np.unique(platform)
               if (platform == p).sum() >= config.MIN_POSTS_FOR_TREND}
    if len(medians) < 2:
        return None
    best = max(sorted(medians), key=lambda p: medians[p])
    return str(best), float(medians[best])


def relative_er(platform: np.ndarray, ctype: np.ndarray, er: np.ndarray) -> np.ndarray:
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
    "views": np.empty(0, dtype=float),
    "content_id": np.empty(0, dtype=object),
    "title": np.empty(0, dtype=object),
}


def for_snapshot(snapshot: Snapshot, business_id: str,
                 extra: Sequence[Comparison] = ()) -> Insights:
    """The insights of one business of a snapshot (its insight posts and content types);
    ``extra`` comparisons (hashtags, caption features, experiments: see
    :mod:`analytics.metrics.intel`) join the false-discovery control; hashtags and caption
    features become claims by :func:`content_claimed`."""
    scope = snapshot.scope
    return analyse(
        business_id,
        snapshot.insight_posts.get(business_id, EMPTY_POSTS),
        snapshot.content_types.get(business_id, []),
        lookback_start=scope.lookback_start,
        end=scope.period.end,
        as_of=scope.as_of,
        extra=extra,
    )


def content_claimed(c: Comparison) -> bool:
    """The rule for a hashtag or caption-feature claim: it survives the false-discovery control
    and its effect is worth acting on, either way (×1.25 or more, or ×0.8 or less)."""
    return (c.q_value <= config.FDR_Q and c.effect is not None
            and (c.effect >= config.MIN_CONTENT_LIFT or c.effect <= 1 / config.MIN_CONTENT_LIFT))


def analyse(
    business_id: str,
    posts: dict[str, np.ndarray],
    content_types: list[dict[str, Any]],
    lookback_start: date,
    end: date,
    as_of: date,
    extra: Sequence[Comparison] = (),
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
    span = f"{weeks} weeks to {fmt_day(end)}"
    basis: dict[str, Any] = {
        "lookback_start": lookback_start.isoformat(),
        "end": end.isoformat(),
        "posts": int(platform.size),
        "timed_posts": int((~np.isnan(hour)).sum()),
        "fixed_age_days": config.INSIGHT_FIXED_AGE_DAYS,
        "false_discovery_rate": config.FDR_Q,
        "comparisons": 0,
    }
    top_types = [
        ContentTypeRow(
            content_type=r["content_type"],
            posts=r["posts"],
            platforms=list(r["platforms"]),
            views=r["views"],
            engagement=r["engagement"],
            engagement_rate=r["engagement_rate"],
        )
        for r in content_types
    ]
    rel = relative_er(platform, ctype, er)
    windows, timing = _posting_windows(weekday, hour, rel)
    formats = _format_comparisons(platform, ctype, er)
    trends = _trend_comparisons(platform, engagement, day, end, as_of)
    comparisons = timing + formats + trends + list(extra)
    if comparisons:
        q_values = stats.false_discovery_control([c.p_value for c in comparisons], method="bh")
        for comparison, q in zip(comparisons, q_values, strict=True):
            comparison.q_value = float(q)
    n_tests = basis["comparisons"] = len(comparisons)
    rng_for = _rng_factory(business_id)
    recommendations: list[Recommendation] = []
    notes: list[Note] = []
    if not platform.size:
        notes.append(Note("data", f"No posts with views in the {span}: nothing to learn from yet."))

    # posting times
    cells = {(w["weekday"], w["hour"]): w for w in windows}
    timing_claims = 0
    for c in timing:
        cell = cells[(c.key["weekday"], c.key["hour"])]
        cell.update(p_value=c.p_value, q_value=c.q_value)
        if c.q_value <= config.FDR_Q and c.effect >= config.MIN_TIMING_LIFT:
            cell["recommended"] = True
            timing_claims += 1
            recommendations.append(claims.timing_claim(c, rng_for(c), span, n_tests))
    if platform.size and not timing_claims:
        notes.append(claims.timing_note(basis["timed_posts"], basis["posts"], windows, timing,
                                        span))

    # formats, within each platform
    format_rows = []
    for c in formats:
        claimed = (c.q_value <= config.FDR_Q and c.effect is not None
                   and c.effect >= config.MIN_TYPE_RATIO)
        format_rows.append(FormatComparison(
            **c.key, posts=int(c.group.size), other_posts=int(c.rest.size),
            median_engagement_rate=c.median, other_median_engagement_rate=c.median_rest,
            ratio=c.effect, p_value=c.p_value, q_value=c.q_value, recommended=claimed,
        ))
        if claimed:
            recommendations.append(claims.format_claim(c, rng_for(c), span, n_tests))
    if platform.size and not any(r.recommended for r in format_rows):
        notes.append(claims.format_note(formats, span))

    # platform trends; a falling platform whose engagement rate is still the best says both
    best_rate = _best_rate_platform(platform, er)
    trend_rows = []
    for c in trends:
        change = None if c.effect is None else (c.effect - 1) * 100
        claimed = (c.q_value <= config.FDR_Q and change is not None
                   and abs(change) >= config.MIN_TREND_CHANGE * 100)
        trend_rows.append(PlatformTrend(
            **c.key, recent_posts=int(c.group.size), earlier_posts=int(c.rest.size),
            recent_median_engagement=c.median, earlier_median_engagement=c.median_rest,
            change=change, p_value=c.p_value, q_value=c.q_value, significant=claimed,
        ))
        if claimed:
            recommendations.append(claims.trend_claim(
                c, rng_for(c), n_tests,
                best_rate=best_rate[1] if best_rate and best_rate[0] == c.key["platform"]
                else None))
    if platform.size and not any(r.significant for r in trend_rows):
        notes.append(claims.trend_note(trends, span, [c.interval(rng_for(c)) for c in trends]))

    # hashtags and caption features (their rows are built by metrics.intel); experiments
    # take part in the control but give verdicts, not recommendations
    for c in extra:
        if c.kind in ("hashtag", "caption_feature") and content_claimed(c):
            recommendations.append(claims.content_claim(c, rng_for(c), span, n_tests))

    recommendations.sort(key=lambda r: (r.evidence["q_value"], r.kind, r.subject))
    return Insights(
        best_posting_times=[PostingWindow(**w) for w in windows],
        posting_weekdays=_weekdays(weekday, rel),
        top_content_types=top_types,
        format_comparisons=format_rows,
        platform_trends=trend_rows,
        recommendations=recommendations,
        notes=notes,
        basis=InsightBasis(**basis),
    )


def _rng_factory(business_id: str):
    """A random generator per comparison, seeded from its identity: reruns give equal bytes."""

    def rng_for(c: Comparison) -> np.random.Generator:
        ident = f"{business_id}|{c.kind}|{sorted(c.key.items())}".encode()
        return np.random.default_rng(zlib.crc32(ident))

    return rng_for


BLOCKS = tuple(range(0, 24, config.POSTING_BLOCK_HOURS))


def _posting_windows(
    weekday: np.ndarray, hour: np.ndarray, rel: np.ndarray
) -> tuple[list[dict[str, Any]], list[Comparison]]:
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
        Comparison(
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


def _weekdays(weekday: np.ndarray, rel: np.ndarray) -> list[PostingWeekday]:
    """Posts per local weekday, including posts whose export gave no hour."""
    known = ~np.isnan(rel)
    return [
        PostingWeekday(
            weekday=d,
            weekday_name=WEEKDAYS[d - 1],
            posts=int((weekday == d).sum()),
            median_relative_er=_optional_median(rel[(weekday == d) & known]),
        )
        for d in range(1, 8)
    ]


def _format_comparisons(
    platform: np.ndarray, ctype: np.ndarray, er: np.ndarray
) -> list[Comparison]:
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
            Comparison(
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
) -> list[Comparison]:
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
            Comparison(
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
