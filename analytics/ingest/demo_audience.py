"""The demo's audience: each business's follower history and daily account metrics.

Its own random stream (``[seed, index, 1]``), so the posts are the same with or without it;
:mod:`analytics.ingest.demo` describes the planted follower surge and writes these rows.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

import numpy as np

from analytics import config
from analytics.ingest.demo_content import MEDIAN_VIEWS

if TYPE_CHECKING:
    from analytics.ingest.demo import DemoBusiness

#: The business (by index, repeating every len(PATTERN)) whose Instagram followers surge in
#: the last complete week before as_of, and by how many extra followers over that week.
SURGE_INDEX = 3
SURGE_FOLLOWERS = 2_100
#: Daily account metrics per platform: (views metric, reach metric or None), named as the
#: platforms' own daily files name them once ingested.
ACCOUNT_METRICS = {
    "facebook": ("views", "reach"), "instagram": ("views", "reach"),
    "linkedin": ("impressions_total", None), "tiktok": ("video_views", None),
    "x": ("impressions", None), "youtube": ("views", None),
}


def _audience_tables(
    business: DemoBusiness, index: int, seed: int, as_of: date, days: int
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Follower readings and daily account metrics of one business, as column arrays. Its own
    random stream (``[seed, index, 1]``), so the posts are the same with or without it."""
    rng = np.random.default_rng([seed, index, 1])
    last = as_of - timedelta(days=1)  # a day's reading exists once the day is over
    ordinals = np.arange(last.toordinal() - days + 1, last.toordinal() + 1)
    surge_end = as_of - timedelta(days=as_of.isoweekday())  # the last complete week's Sunday
    in_surge = (ordinals > surge_end.toordinal() - 7) & (ordinals <= surge_end.toordinal())
    followers: dict[str, list[np.ndarray]] = {"platform": [], "day": [], "followers": []}
    account: dict[str, list[np.ndarray]] = {"platform": [], "metric": [], "day": [],
                                            "value": []}
    for platform in config.PLATFORMS:
        start = rng.uniform(500, 20_000)
        daily = start * rng.uniform(0.0005, 0.003) + rng.normal(0, start * 0.0015, ordinals.size)
        if business.follower_surge and platform == "instagram":
            daily = daily + in_surge * (SURGE_FOLLOWERS / 7)
        counts = np.rint(start + np.cumsum(daily)).astype(np.int64)
        followers["platform"].append(np.full(ordinals.size, platform, dtype=object))
        followers["day"].append(ordinals)
        followers["followers"].append(counts)
        views_metric, reach_metric = ACCOUNT_METRICS[platform]
        views = np.rint(MEDIAN_VIEWS[platform] * 0.6 * 1.3 * rng.lognormal(0, 0.3, ordinals.size))
        for metric, values in ((views_metric, views),
                               (reach_metric, views * rng.uniform(0.55, 0.8, ordinals.size))):
            if metric is None:
                continue
            account["platform"].append(np.full(ordinals.size, platform, dtype=object))
            account["metric"].append(np.full(ordinals.size, metric, dtype=object))
            account["day"].append(ordinals)
            account["value"].append(np.rint(values).astype(np.int64))
    return ({k: np.concatenate(v) for k, v in followers.items()},
            {k: np.concatenate(v) for k, v in account.items()})
