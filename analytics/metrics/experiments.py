"""A/B experiments: each variant's posts at the fixed age, the difference between two
variants with a 95 % interval and a p-value, a verdict, and how many more posts would tell.

A post joins an experiment by its caption (``#ab-<experiment>-<variant>``) or by a row of a
canonical experiments file. An experiment is compared per platform, on the posts' engagement
rates at the insights' fixed age (so a young post is not set against an old one): the
difference of the variants' mean engagement rates (B − A, in percentage points, A being the
first variant by name), with Welch's t interval and test. The tests join all of the business's
other comparisons (posting times, formats, trends, hashtags, caption features) in one
Benjamini–Hochberg control; a variant wins when its q-value is at most ``FDR_Q``. Until then,
the verdict is "no difference yet", with about how many more posts per variant a test of 80 %
power would need to detect the observed difference.
An experiment with one variant, more than two, or fewer than ``MIN_POSTS_PER_VARIANT`` posts in
a variant is shown with a note and no verdict.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar

import numpy as np
from scipy import stats

from analytics import config
from analytics.metrics.labels import plural
from analytics.metrics.stats import Comparison
from analytics.records import Record

#: A variant needs this many posts (with views at the fixed age) before variants are compared.
MIN_POSTS_PER_VARIANT = 5
#: An experiment whose latest post is this recent (days before the period's end) is running.
RUNNING_DAYS = 28
#: Power of the test the "more posts" estimate aims for.
POWER = 0.8


@dataclass(frozen=True)
class VariantRow(Record):
    """One variant of an experiment: its posts and their engagement at the fixed age."""

    variant: str
    posts: int
    views: int
    engagement: int
    #: Σ engagement / Σ views × 100 over the variant's posts
    engagement_rate: float | None
    #: mean of the posts' engagement rates (what the test compares)
    mean_engagement_rate: float | None


@dataclass(frozen=True)
class ExperimentRow(Record):
    """``report.json`` ``experiments[]``."""

    LABELS: ClassVar[dict[str, str]] = {"experiment": "Experiment", "platform": "Platform",
                                        "status": "Status", "verdict": "Verdict"}

    experiment: str
    platform: str
    status: str  # running | finished
    first_post: str
    last_post: str
    variants: list[VariantRow]
    #: mean engagement rate of B − A, in percentage points (None when not compared)
    difference: float | None
    interval: list[float] | None
    p_value: float | None
    q_value: float | None
    verdict: str  # "A wins" | "B wins" | "no difference yet" | "not enough data"
    #: about how many more posts per variant would detect the observed difference
    more_posts_per_variant: int | None
    note: str | None


def _label(variant: str) -> str:
    return variant.upper() if len(variant) <= 2 else variant


def _variant(name: str, views: np.ndarray, engagement: np.ndarray) -> VariantRow:
    total_views, total_engagement = int(views.sum()), int(engagement.sum())
    rates = engagement * 100.0 / views
    return VariantRow(
        variant=name, posts=int(views.size), views=total_views, engagement=total_engagement,
        engagement_rate=total_engagement * 100.0 / total_views if total_views else None,
        mean_engagement_rate=float(rates.mean()) if rates.size else None,
    )


def more_posts_needed(a: np.ndarray, b: np.ndarray) -> int | None:
    """Posts per variant beyond the smaller variant's count for a two-sided 5 % test with
    :data:`POWER` to detect the observed difference of means (normal approximation)."""
    difference = float(b.mean() - a.mean())
    variance = (a.var(ddof=1) + b.var(ddof=1)) / 2
    if difference == 0 or not np.isfinite(variance):
        return None
    z = stats.norm.ppf(0.975) + stats.norm.ppf(POWER)
    needed = math.ceil(2 * z**2 * variance / difference**2)
    return max(needed - min(a.size, b.size), 0)


@dataclass
class ExperimentAnalysis:
    """The experiments of one business: drafts of their rows and, for those compared, their
    tests; the q-values come from the business's one false-discovery control (insights)."""

    drafts: list[dict[str, Any]]
    comparisons: dict[int, Comparison]

    def rows(self) -> list[ExperimentRow]:
        rows = []
        for number, draft in enumerate(self.drafts):
            c = self.comparisons.get(number)
            if c is not None:
                a, b = c.rest, c.group
                draft["q_value"] = c.q_value
                if c.q_value <= config.FDR_Q:
                    winner = draft["variants"][1 if draft["difference"] > 0 else 0]
                    draft["verdict"] = f"{_label(winner.variant)} wins"
                else:
                    draft["verdict"] = "no difference yet"
                    draft["more_posts_per_variant"] = more_posts_needed(a, b)
            rows.append(ExperimentRow(**draft))
        return rows


def analyse(
    members: list[dict[str, Any]],
    index: dict[tuple[str, str], int],
    views: np.ndarray,
    engagement: np.ndarray,
    day: np.ndarray,
    end: date,
) -> ExperimentAnalysis:
    """``members``: rows ``{experiment, variant, platform, content_id}`` of one business;
    ``index`` maps (platform, content_id) to the insight posts' columns ``views``,
    ``engagement`` and ``day`` (date ordinals)."""
    grouped: dict[tuple[str, str], dict[str, list[int]]] = {}
    for m in members:
        i = index.get((m["platform"], m["content_id"]))
        if i is not None:
            variants = grouped.setdefault((m["experiment"], m["platform"]), {})
            members_of = variants.setdefault(m["variant"], [])
            if i not in members_of:
                members_of.append(i)
    analysis = ExperimentAnalysis([], {})
    for (name, platform), variants in sorted(grouped.items()):
        names = sorted(variants)
        posts = np.array(sorted({i for v in variants.values() for i in v}))
        rows = [_variant(v, views[variants[v]], engagement[variants[v]]) for v in names]
        last = date.fromordinal(int(day[posts].max()))
        draft: dict[str, Any] = {
            "experiment": name, "platform": platform,
            "status": "running" if (end - last).days < RUNNING_DAYS else "finished",
            "first_post": date.fromordinal(int(day[posts].min())).isoformat(),
            "last_post": last.isoformat(), "variants": rows, "difference": None,
            "interval": None, "p_value": None, "q_value": None, "verdict": "not enough data",
            "more_posts_per_variant": None, "note": None,
        }
        if len(names) != 2:
            draft["note"] = (f"{plural(len(names), 'variant')} "
                             f"({', '.join(names)}): an experiment compares exactly two.")
        elif min(r.posts for r in rows) < MIN_POSTS_PER_VARIANT:
            draft["note"] = (f"Each variant needs {MIN_POSTS_PER_VARIANT} posts with views at "
                             f"{config.INSIGHT_FIXED_AGE_DAYS} days old before they are compared "
                             f"({' and '.join(f'{r.posts} of {r.variant}' for r in rows)}).")
        else:
            a, b = (engagement[variants[v]] * 100.0 / views[variants[v]] for v in names)
            test = stats.ttest_ind(b, a, equal_var=False)
            if not np.isfinite(test.pvalue):
                draft["note"] = "Every post of both variants has the same engagement rate."
            else:
                ci = test.confidence_interval(0.95)
                draft.update(difference=float(b.mean() - a.mean()),
                             interval=[float(ci.low), float(ci.high)],
                             p_value=float(test.pvalue))
                analysis.comparisons[len(analysis.drafts)] = Comparison(
                    kind="experiment", key={"experiment": name, "platform": platform},
                    group=b, rest=a, p_value=float(test.pvalue))
        analysis.drafts.append(draft)
    return analysis
