"""Hashtag performance: one row per tag used in the lookback, and one test per well-used tag.

A tag's posts are judged on their engagement rate at the fixed age relative to the business's
typical post of the same platform and format (``insights.relative_er``), like posting times:
the tag's ``relative`` is the median of its posts' relative rates (1.0 = typical). A tag on at
least ``MIN_POSTS_PER_GROUP`` posts (with as many posts without it) is tested against the posts
without it (two-sided Mann–Whitney U); the test joins all the business's other comparisons in
the false-discovery control, and ``insights.content_claimed`` decides the claim.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from analytics import config
from analytics.metrics.stats import Comparison, median, outcome, rank_sum_pvalues
from analytics.records import Record


@dataclass(frozen=True)
class HashtagRow(Record):
    """``report.json`` ``hashtags[]``: a tag's posts in the lookback, counted at the fixed age."""

    LABELS: ClassVar[dict[str, str]] = {
        "tag": "Hashtag", "posts": "Posts", "views": "Views", "engagement": "Engagement",
        "engagement_rate": "ER", "relative": "vs typical",
    }

    tag: str
    posts: int
    #: views and engagement of the tag's posts at the fixed age (insights' basis)
    views: int
    engagement: int
    #: Σ engagement / Σ views × 100 over the tag's posts
    engagement_rate: float | None
    #: median engagement rate of its posts relative to the business's typical post (1.0 = typical)
    relative: float | None
    tested: bool
    p_value: float | None
    q_value: float | None
    recommended: bool


@dataclass
class TagAnalysis:
    """The tags of one business: their figures now, their tests (q-values are filled by the
    insights' false-discovery control), and their rows once that is done."""

    figures: list[dict[str, Any]] = field(default_factory=list)
    comparisons: dict[str, Comparison] = field(default_factory=dict)

    def rows(self, claimed) -> list[HashtagRow]:
        return [HashtagRow(**f, **outcome(self.comparisons.get(f["tag"]), claimed))
                for f in self.figures]


def analyse(
    keys: list[tuple[str, str]],
    rel: np.ndarray,
    views: np.ndarray,
    engagement: np.ndarray,
    tag_rows: list[dict[str, Any]],
) -> TagAnalysis:
    """``keys`` (platform, content_id), ``rel``, ``views`` and ``engagement`` are the insight
    posts' columns; ``tag_rows`` the ``post_tags`` rows of the business (kind, tag…)."""
    index = {key: i for i, key in enumerate(keys)}
    members: dict[str, list[int]] = {}
    for r in tag_rows:
        i = index.get((r["platform"], r["content_id"]))
        if r["kind"] == "hashtag" and i is not None:
            members.setdefault(r["tag"], []).append(i)
    analysis = TagAnalysis()
    known = np.isfinite(rel)
    testable: list[tuple[str, np.ndarray]] = []
    for tag, where in members.items():
        mask = np.zeros(rel.size, dtype=bool)
        mask[where] = True
        tag_views = int(views[mask].sum())
        tag_engagement = int(engagement[mask].sum())
        values = rel[mask & known]
        analysis.figures.append({
            "tag": tag,
            "posts": int(mask.sum()),
            "views": tag_views,
            "engagement": tag_engagement,
            "engagement_rate": tag_engagement * 100.0 / tag_views if tag_views else None,
            "relative": median(values) if values.size else None,
        })
        inside = int((mask & known).sum())
        if (inside >= config.MIN_POSTS_PER_GROUP
                and int(known.sum()) - inside >= config.MIN_POSTS_PER_GROUP):
            testable.append((tag, mask[known]))
    analysis.figures.sort(key=lambda f: (-f["posts"], -(f["relative"] or 0), f["tag"]))
    if testable:
        values = rel[known]
        masks = np.array([m for _, m in testable])
        for (tag, m), p in zip(testable, rank_sum_pvalues(values, masks, "two-sided"),
                               strict=True):
            analysis.comparisons[tag] = Comparison(
                kind="hashtag", key={"tag": tag}, group=values[m], rest=values[~m],
                p_value=float(p), relative=True,
            )
    return analysis
