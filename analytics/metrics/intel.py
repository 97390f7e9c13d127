"""Content intelligence for one business: hashtags and caption features, tested with the
insights' machinery (fixed age, relative engagement, one false-discovery control across all of
the business's comparisons), and the insights that include them.

:func:`for_snapshot` is what the report model and the metrics API call: it builds the hashtag
and caption-feature comparisons, hands them to :func:`insights.for_snapshot` (which controls
the false-discovery rate over everything and writes the claims), then makes the rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from analytics.captions import split_ab
from analytics.metrics import caption_features, experiments, hashtags, insights
from analytics.metrics.caption_features import CaptionFeatureRow
from analytics.metrics.experiments import ExperimentRow
from analytics.metrics.hashtags import HashtagRow
from analytics.metrics.results import Insights

if TYPE_CHECKING:
    from analytics.metrics.snapshot import Snapshot


@dataclass(frozen=True)
class ContentIntel:
    """The content-intelligence sections of one business's report."""

    hashtags: list[HashtagRow] = field(default_factory=list)
    caption_features: list[CaptionFeatureRow] = field(default_factory=list)
    experiments: list[ExperimentRow] = field(default_factory=list)


def for_snapshot(snapshot: Snapshot, business_id: str) -> tuple[Insights, ContentIntel]:
    posts = snapshot.insight_posts.get(business_id, insights.EMPTY_POSTS)
    platform = np.asarray(posts["platform"], dtype=object)
    rel = insights.relative_er(platform, np.asarray(posts["content_type"], dtype=object),
                               np.asarray(posts["engagement_rate"], dtype=float))
    keys = list(zip(platform, posts.get("content_id", np.empty(0, dtype=object)), strict=True))
    tags = hashtags.analyse(
        keys, rel,
        np.asarray(posts.get("views", np.empty(0)), dtype=float),
        np.asarray(posts["engagement"], dtype=float),
        snapshot.post_tags.get(business_id, []),
    )
    features = caption_features.analyse(
        np.asarray(posts.get("title", np.empty(0, dtype=object)), dtype=object), rel)
    # experiments files first: a post's declared variant wins over its caption's #ab- tag
    members = list(snapshot.experiment_members.get(business_id, []))
    declared = {(m["experiment"], m["platform"], m["content_id"]) for m in members}
    members += [
        {"experiment": name, "variant": variant, "platform": r["platform"],
         "content_id": r["content_id"]}
        for r in snapshot.post_tags.get(business_id, []) if r["kind"] == "ab"
        for name, variant in [split_ab(r["tag"])]
        if (name, r["platform"], r["content_id"]) not in declared
    ]
    trials = experiments.analyse(
        members, {key: i for i, key in enumerate(keys)},
        np.asarray(posts.get("views", np.empty(0)), dtype=float),
        np.asarray(posts["engagement"], dtype=float),
        np.asarray(posts["day"], dtype=int), snapshot.scope.period.end,
    )
    extra = (list(tags.comparisons.values()) + list(features.comparisons.values())
             + list(trials.comparisons.values()))
    found = insights.for_snapshot(snapshot, business_id, extra=extra)
    claimed = insights.content_claimed
    return found, ContentIntel(hashtags=tags.rows(claimed),
                               caption_features=features.rows(claimed),
                               experiments=trials.rows())
