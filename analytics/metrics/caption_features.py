"""Caption features (length band, a question, emoji, a link, a mention, a call to action):
does having one go with a higher engagement rate?

Only posts with a caption are compared (nothing can be said of a caption that is not there).
Each feature present on at least ``MIN_POSTS_PER_GROUP`` captioned posts, and absent from as
many, is tested two-sided on the posts' engagement rates relative to the business's typical
post; the effect is the ratio of the two groups' medians. The tests join the business's other
comparisons in the false-discovery control; ``insights.content_claimed`` decides the claim.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np

from analytics import captions, config
from analytics.metrics.stats import Comparison, median, outcome, rank_sum_pvalues
from analytics.records import Record


@dataclass(frozen=True)
class CaptionFeatureRow(Record):
    """``report.json`` ``caption_features[]``: posts with and without a feature."""

    LABELS: ClassVar[dict[str, str]] = {
        "label": "Feature", "posts": "Posts with", "other_posts": "Posts without",
        "median_relative": "With (vs typical)", "other_median_relative": "Without (vs typical)",
        "ratio": "Ratio",
    }

    feature: str
    label: str
    posts: int
    other_posts: int
    median_relative: float | None
    other_median_relative: float | None
    ratio: float | None
    tested: bool
    p_value: float | None
    q_value: float | None
    recommended: bool


@dataclass
class FeatureAnalysis:
    """Per feature: the two groups' medians, the test (q filled by the insights' FDR control)."""

    figures: list[dict] = field(default_factory=list)
    comparisons: dict[str, Comparison] = field(default_factory=dict)
    captioned: int = 0
    uncaptioned: int = 0

    def rows(self, claimed) -> list[CaptionFeatureRow]:
        return [CaptionFeatureRow(**f, **outcome(self.comparisons.get(f["feature"]), claimed))
                for f in self.figures]


def analyse(titles: np.ndarray, rel: np.ndarray) -> FeatureAnalysis:
    """``titles`` ('' for none) and ``rel`` are the insight posts' columns."""
    found = [captions.features(t) for t in titles]
    has = np.array([f is not None for f in found], dtype=bool)
    usable = has & np.isfinite(rel)
    analysis = FeatureAnalysis(captioned=int(has.sum()), uncaptioned=int((~has).sum()))
    values = rel[usable]
    kept = [f for f, u in zip(found, usable, strict=True) if u]
    testable: list[tuple[str, np.ndarray]] = []
    for name, label in captions.FEATURES.items():
        mask = np.array([f[name] for f in kept], dtype=bool)
        inside, outside = values[mask], values[~mask]
        mid = median(inside) if inside.size else None
        other = median(outside) if outside.size else None
        analysis.figures.append({
            "feature": name, "label": label, "posts": int(inside.size),
            "other_posts": int(outside.size), "median_relative": mid,
            "other_median_relative": other,
            "ratio": mid / other if mid is not None and other else None,
        })
        if inside.size >= config.MIN_POSTS_PER_GROUP and outside.size >= config.MIN_POSTS_PER_GROUP:
            testable.append((name, mask))
    if testable:
        masks = np.array([m for _, m in testable])
        for (name, m), p in zip(testable, rank_sum_pvalues(values, masks, "two-sided"),
                                strict=True):
            analysis.comparisons[name] = Comparison(
                kind="caption_feature",
                key={"feature": name, "label": captions.FEATURES[name]},
                group=values[m], rest=values[~m], p_value=float(p),
            )
    return analysis
