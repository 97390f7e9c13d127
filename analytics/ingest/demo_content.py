"""The demo's posts: captions with their hashtags and questions, the planted effects on
their engagement, their observations over time, and the comments on recent ones.

Each business draws from its own random streams (``[seed, index]`` for the posts,
``[seed, index, 5]`` for the comments); :mod:`analytics.ingest.demo` describes what is
planted and writes these rows into the warehouse.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyarrow as pa

from analytics import sentiment

if TYPE_CHECKING:
    from analytics.ingest.demo import DemoBusiness

#: Content intelligence (issue 14). Every business tags posts with these (no effect) and with
#: #recipe, asks questions in some captions and runs the #ab-headline experiment on Instagram
#: in its last EXPERIMENT_DAYS; only the businesses planted with an effect see a lift.
NEUTRAL_TAGS = ("weekend", "team", "new", "behindthescenes", "local")
TAG_SHARE = 0.2
PLANTED_TAG = "recipe"
TAG_LIFT = 1.6
QUESTION_SHARE = 0.3
QUESTION_LIFT = 1.5
EXPERIMENT = ("headline", "instagram")
EXPERIMENT_DAYS = 84
EXPERIMENT_LIFT = 1.5  # variant b over variant a
#: Comments on the posts of the last COMMENT_DAYS (about one a post), with known sentiment:
#: English ones VADER scores as labelled, and two it must leave unscored (Japanese, emoji).
COMMENT_DAYS = 28
COMMENTS = (
    ("Love this, best coffee in town!", "positive"),
    ("This is wonderful, thank you so much", "positive"),
    ("Great job, really happy with it", "positive"),
    ("Terrible service, never again.", "negative"),
    ("See you on Saturday", "neutral"),
    ("とても美味しかったです", "unscored"),
    ("😍😍😍", "unscored"),
)
COMMENTERS = ("ana", "ben", "carla", "dev", "emi", "femi", "gus", "hana")
VIDEO_LIFT = 2.0
WINDOW_LIFT = 1.8
WINDOW = (2, 18, 21)  # ISO weekday (Tuesday), first hour, end hour (exclusive)
DECLINE_TO = 0.25

PLATFORM_WEIGHTS = {
    "instagram": 0.24, "facebook": 0.20, "linkedin": 0.20, "x": 0.16, "tiktok": 0.10,
    "youtube": 0.10,
}
TYPE_WEIGHTS = {
    "x": {"text": 0.5, "image": 0.3, "video": 0.1, "link": 0.1},
    "facebook": {"image": 0.35, "link": 0.2, "text": 0.15, "video": 0.15, "reel": 0.15},
    "instagram": {"image": 0.4, "carousel": 0.3, "reel": 0.3},
    "linkedin": {"text": 0.35, "image": 0.25, "video": 0.25, "document": 0.15},
    "tiktok": {"video": 1.0},
    "youtube": {"video": 0.6, "short": 0.4},
}
MEDIAN_VIEWS = {
    "x": 800, "facebook": 1200, "instagram": 1500, "linkedin": 900, "tiktok": 2500,
    "youtube": 2000,
}
REACH_PLATFORMS = ("facebook", "instagram", "linkedin", "tiktok")
DOMAINS = {
    "x": "x.com", "facebook": "facebook.com", "instagram": "instagram.com",
    "linkedin": "linkedin.com", "tiktok": "tiktok.com", "youtube": "youtube.com",
}
# local posting hours, weighted towards the working day and the early evening
HOUR_WEIGHTS = np.array([0, 0, 0, 0, 0, 0, 0, 0.5, 1, 1.2, 1, 1, 1.3, 1, 0.8, 0.8, 0.9, 1.1,
                         1.2, 1.2, 1, 0.7, 0.3, 0.1])
WEEKDAY_WEIGHTS = np.array([1, 1, 1, 1, 1, 0.6, 0.5])  # Monday..Sunday
_TITLES = (
    "Behind the scenes at {name}", "Five things we learned this week", "Meet the team",
    "New this week at {name}", "Customer story: why they came back", "Weekend special",
    "How we make it, step by step", "Your questions, answered", "A day in the life",
    "Three tips from our experts", "What's next for {name}", "Thank you for 1,000 reviews",
    "Our favourite picks this month", "Quick guide for beginners", "Before and after",
    "Live from the shop floor", "The story behind our logo", "Ask us anything",
    "Seasonal menu is here", "Small changes, big results",
)
# observation schedule: daily for the first week, then weekly (plus as_of itself)
_OBSERVED_AGES = np.array(list(range(7)) + list(range(13, 400, 7)))


def _choice(rng: np.random.Generator, weights: dict[str, float], size: int) -> np.ndarray:
    keys = np.array(list(weights), dtype=object)
    p = np.array(list(weights.values()), dtype=float)
    return keys[rng.choice(len(keys), size=size, p=p / p.sum())]


def _comments(content: dict[str, np.ndarray], seed: int, index: int, as_of: date) -> pa.Table:
    """About one comment a post on the posts of the last :data:`COMMENT_DAYS`, scored by the
    same lexicon ingest uses (the texts are few, so each is scored once)."""
    rng = np.random.default_rng([seed, index, 5])
    published = pd.to_datetime(content["published_at"], utc=True)
    recent = np.flatnonzero(published >= pd.Timestamp(as_of - timedelta(days=COMMENT_DAYS),
                                                       tz="UTC"))
    per_post = rng.poisson(1.0, size=recent.size)
    post = np.repeat(recent, per_post)
    pick = rng.integers(0, len(COMMENTS), size=post.size)
    scores = [sentiment.score(text) for text, _ in COMMENTS]
    created = published[post] + pd.to_timedelta(rng.integers(10, 600, size=post.size), unit="m")
    return pa.table({
        "platform": pa.array(content["platform"][post], pa.string()),
        "comment_id": pa.array([f"{content['content_id'][p]}-c{j}"
                                for j, p in enumerate(post)], pa.string()),
        "content_id": pa.array(content["content_id"][post], pa.string()),
        "business_id": pa.array(content["business_id"][post], pa.string()),
        "created_at": pa.array(created, pa.timestamp("us", tz="UTC")),
        "author": pa.array(np.array(COMMENTERS)[rng.integers(0, len(COMMENTERS), post.size)],
                           pa.string()),
        "text": pa.array([COMMENTS[k][0] for k in pick], pa.string()),
        "language": pa.array([scores[k].language for k in pick], pa.string()),
        "sentiment": pa.array([scores[k].sentiment for k in pick], pa.float64()),
        "label": pa.array([scores[k].label for k in pick], pa.string()),
    })


def _subset(content: dict[str, np.ndarray], metrics: dict[str, np.ndarray], keep: np.ndarray
            ) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """The posts ``keep`` marks, and their observations."""
    kept = set(content["content_id"][keep])
    observed = np.array([c in kept for c in metrics["content_id"]], dtype=bool)
    return ({k: v[keep] for k, v in content.items()},
            {k: v[observed] for k, v in metrics.items()})


def _caption(title: str, tags: np.ndarray, asks: bool, variant: str) -> str:
    """A demo caption: the title, maybe a question, its hashtags and its A/B tag."""
    words = [title + ("?" if asks else "")]  # a question, of the same length band
    words += [f"#{t}" for t, on in zip((*NEUTRAL_TAGS, PLANTED_TAG), tags, strict=True) if on]
    if variant:
        words.append(f"#ab-{EXPERIMENT[0]}-{variant}")
    return " ".join(words)


def _business_tables(
    business: DemoBusiness, index: int, seed: int, as_of: date, days: int
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """The content rows and observation rows of one business, as column arrays."""
    rng = np.random.default_rng([seed, index])
    first_day = as_of - timedelta(days=days - 1)
    day_ordinals = np.arange(first_day.toordinal(), as_of.toordinal() + 1)
    weekdays = np.array([date.fromordinal(int(d)).isoweekday() for d in day_ordinals])
    rate = rng.uniform(2.5, 3.5)
    per_day = rng.poisson(rate * WEEKDAY_WEIGHTS[weekdays - 1])
    day = np.repeat(day_ordinals, per_day)
    n = day.size
    weekday = np.repeat(weekdays, per_day)
    hour = rng.choice(24, size=n, p=HOUR_WEIGHTS / HOUR_WEIGHTS.sum())
    minute = rng.integers(0, 60, size=n)
    platform = _choice(rng, PLATFORM_WEIGHTS, n)
    content_type = np.empty(n, dtype=object)
    for plat, weights in TYPE_WEIGHTS.items():
        on = platform == plat
        content_type[on] = _choice(rng, weights, int(on.sum()))

    # lifetime (final) counters
    median = np.array([MEDIAN_VIEWS[p] for p in platform], dtype=float)
    views = median * rng.lognormal(0.0, 0.55, size=n)
    if "declining_facebook" in business.effects:
        progress = (day - day_ordinals[0]) / max(days - 1, 1)
        views = np.where(platform == "facebook", views * (1 - (1 - DECLINE_TO) * progress), views)
    views = np.clip(np.rint(views), 100, 5000)
    er = 5.5 * rng.lognormal(0.0, 0.25, size=n)
    if "video_linkedin" in business.effects:
        er = np.where((platform == "linkedin") & (content_type == "video"), er * VIDEO_LIFT, er)
    if "best_window" in business.effects:
        wd, h0, h1 = WINDOW
        er = np.where((weekday == wd) & (hour >= h0) & (hour < h1), er * WINDOW_LIFT, er)
    # captions: their own random stream, so the counters above are those of earlier demos
    text_rng = np.random.default_rng([seed, index, 14])
    tagged = text_rng.random((n, len(NEUTRAL_TAGS) + 1)) < TAG_SHARE
    question = text_rng.random(n) < QUESTION_SHARE
    in_experiment = (platform == EXPERIMENT[1]) & (day > day_ordinals[-1] - EXPERIMENT_DAYS)
    variant_b = text_rng.random(n) < 0.5
    if "hashtag" in business.effects:
        er = np.where(tagged[:, -1], er * TAG_LIFT, er)
    if "question" in business.effects:
        er = np.where(question, er * QUESTION_LIFT, er)
    if "experiment" in business.effects:
        er = np.where(in_experiment & variant_b, er * EXPERIMENT_LIFT, er)
    scale = (np.clip(er, 3.5, 14.0) - 3.5) / 10.5

    def component(low: float, high: float) -> np.ndarray:
        return low + (high - low) * np.clip(scale + rng.normal(0, 0.04, size=n), 0, 1)

    likes = views * component(0.02, 0.08)
    shares = views * component(0.005, 0.02)
    comments = views * component(0.01, 0.04)
    clicks = views * rng.uniform(0.05, 0.15, size=n)
    has_reach = np.isin(platform, REACH_PLATFORMS)
    reach = np.where(has_reach, views * rng.uniform(0.55, 0.9, size=n), np.nan)
    title_pick = rng.integers(0, len(_TITLES), size=n)

    # local publication time → UTC instant (DST gaps shift forward, repeats take summer time)
    local = pd.to_datetime(
        pd.Series([date.fromordinal(int(d)) for d in day])
    ) + pd.to_timedelta(hour, unit="h") + pd.to_timedelta(minute, unit="m")
    published = (
        local.dt.tz_localize(business.timezone, ambiguous=True, nonexistent="shift_forward")
        .dt.tz_convert("UTC")
    )
    content_id = np.array([f"{business.business_id}-{j:05d}" for j in range(n)], dtype=object)
    content = {
        "platform": platform,
        "content_id": content_id,
        "business_id": np.full(n, business.business_id, dtype=object),
        "content_type": content_type,
        "published_at": published.to_numpy(),
        "title": np.array(
            [_caption(_TITLES[t].format(name=business.name), tags, asks, test)
             for t, tags, asks, test in zip(
                 title_pick, tagged, question,
                 np.where(in_experiment, np.where(variant_b, "b", "a"), ""), strict=True)],
            dtype=object,
        ),
        "permalink": np.array(
            [f"https://www.{DOMAINS[p]}/{business.business_id}/posts/{c}"
             for p, c in zip(platform, content_id, strict=True)],
            dtype=object,
        ),
        "published_time_known": np.ones(n, dtype=bool),
    }

    # observations: ages (days since the local publication day) up to as_of
    max_age = as_of.toordinal() - day
    ages = np.broadcast_to(_OBSERVED_AGES, (n, _OBSERVED_AGES.size))
    keep = ages <= max_age[:, None]
    keep &= ages != max_age[:, None]  # as_of is added once below
    post_index = np.concatenate([np.nonzero(keep)[0], np.arange(n)])
    age = np.concatenate([ages[keep], max_age])
    order = np.lexsort((age, post_index))
    post_index, age = post_index[order], age[order]
    grown = 1 - np.exp(-(age + 1) / 2.0)

    def grow(final: np.ndarray) -> np.ndarray:
        return np.rint(final[post_index] * grown).astype(np.int64)

    reach_obs = reach[post_index] * grown
    metrics = {
        "platform": platform[post_index],
        "content_id": content_id[post_index],
        "observed_on": (day[post_index] + age).astype(np.int64),
        "views": grow(views),
        "reach": np.where(np.isnan(reach_obs), -1, np.rint(np.nan_to_num(reach_obs))).astype(
            np.int64
        ),
        "likes": grow(likes),
        "shares": grow(shares),
        "comments": grow(comments),
        "clicks": grow(clicks),
    }
    return content, metrics
