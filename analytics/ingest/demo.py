"""A deterministic demo warehouse with planted effects that a correct analysis must recover.

Same ``seed`` and ``as_of`` → the same warehouse, row for row. Each business gets its own
random stream (``[seed, index]``), so business 3 is the same whether 5 or 5,000 are generated.

What is generated, per business:

* 180 days of posts up to ``as_of`` on six platforms and eleven content types, 2.5–3.5 posts a
  day on average (fewer at weekends), published at local daytime hours in the business's own
  timezone (five timezones, DST included);
* lifetime counters in the seed's ranges: views 100–5,000; likes 2–8 %, shares 0.5–2 %,
  comments 1–4 %, clicks 5–15 % of views; reach only on the platforms that report it
  (Facebook, Instagram, LinkedIn, TikTok — never X or YouTube);
* cumulative observations: daily for a post's first week, weekly after, and on ``as_of``;
  counters grow as ``final × (1 − e^(−(age+1)/2))``, so a post is ~98 % grown at 7 days.

The planted effects (businesses cycle through this pattern by index; see :data:`EFFECTS`):

=====  ======================  ==========================================================
index  effect                  what a correct analysis finds
=====  ======================  ==========================================================
0      ``video_linkedin``      LinkedIn video earns 2× the engagement rate of other
                               LinkedIn posts
       ``hashtag``             posts tagged #recipe earn 1.6× (every business tags #recipe
                               and five neutral tags on 20 % of posts each)
1      ``best_window``         posts on Tuesday 18:00–21:00 local earn 1.8× the engagement
                               rate of posts at other times
       ``question``            captions asking a question (30 % of posts) earn 1.5×
2      ``declining_facebook``  Facebook views per post fall linearly to 25 % of their
                               start over the 180 days
       ``experiment``          #ab-headline on Instagram (its last 84 days, half a, half
                               b): variant b earns 1.5× variant a
3, 4   none                    (controls: insights should claim nothing)
=====  ======================  ==========================================================

``rival-roasters`` is a competitor of the first business (posting about 40 % less often): it
gets no report and no email, and appears only in that business's benchmarks. Posts of the last
28 days get about one comment each, drawn from :data:`COMMENTS` (known sentiment, two of them
in forms the lexicon must leave unscored).

With ``effects=False`` every business is a control.

Audience (``report.json`` ``audience``): every business has a follower history and daily
account metrics on all six platforms for the same 180 days (readings up to the day before
``as_of``): followers start at 500–20,000 per platform and grow 0.05–0.3 % a day with noise
(some days lose followers); account-level views are about 1.3× the day's post views, and
Facebook and Instagram also report reach. Planted: :data:`SURGE_INDEX` (alpine-outfitters, and
every 5th after) gains :data:`SURGE_FOLLOWERS` extra Instagram followers over the last complete
week before ``as_of`` (the report's default week) — its audience card shows the surge. Follower
data feeds no insight, so the business stays an insights control.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from analytics import AnalyticsError, config, sentiment, warehouse
from analytics.ingest import hashtags
from analytics.warehouse import access, sql

DEMO_SOURCE = "demo"

EFFECTS = {
    "video_linkedin": "LinkedIn video earns about 2× the engagement rate of other LinkedIn posts",
    "best_window": "posts on Tuesday 18:00–21:00 local time earn about 1.8× the engagement rate",
    "declining_facebook": "Facebook views per post fall steadily, to 25 % of their start",
    "hashtag": "posts tagged #recipe earn about 1.6× the engagement rate",
    "question": "captions that ask a question earn about 1.5× the engagement rate",
    "experiment": "in the #ab-headline experiment on Instagram, variant B earns 1.5× variant A",
}
PATTERN: tuple[tuple[str, ...], ...] = (
    ("video_linkedin", "hashtag"), ("best_window", "question"),
    ("declining_facebook", "experiment"), (), (),
)
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
#: A competitor of the first business (no report, no email: only its benchmarks), posting
#: about 40 % less often; its random stream is one no client uses.
RIVAL = ("rival-roasters", "Rival Roasters", "Europe/London")
RIVAL_STREAM = 1_000_000
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

NAMED = (
    ("northwind-coffee", "Northwind Coffee Roasters", "Europe/London"),
    ("harbour-yoga", "Harbour Yoga Studio", "America/New_York"),
    ("lumen-books", "Lumen Books", "Australia/Sydney"),
    ("alpine-outfitters", "Alpine Outfitters", "Europe/Berlin"),
    ("kiku-ramen", "Kiku Ramen", "Asia/Tokyo"),
)
_ADJECTIVES = ("bright", "copper", "green", "harbor", "maple", "north", "silver", "sunny",
               "urban", "wild")
_NOUNS = ("bakery", "bikes", "clinic", "florist", "gallery", "garage", "kitchen", "studio",
          "tailor", "tea")
_TIMEZONES = ("Europe/London", "America/New_York", "Australia/Sydney", "Europe/Berlin",
              "Asia/Tokyo", "America/Los_Angeles", "UTC", "America/Sao_Paulo", "Asia/Kolkata")

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


@dataclass(frozen=True)
class DemoBusiness:
    business_id: str
    name: str
    timezone: str
    effects: tuple[str, ...]
    #: Instagram followers surge in the last complete week (see SURGE_INDEX)
    follower_surge: bool = False


@dataclass(frozen=True)
class DemoSummary:
    path: Path
    businesses: list[DemoBusiness]
    posts: int
    observations: int
    as_of: date
    seed: int


def demo_businesses(count: int, effects: bool = True) -> list[DemoBusiness]:
    """The demo's businesses: five named ones, then generated names."""
    result = []
    for index in range(count):
        if index < len(NAMED):
            business_id, name, tz = NAMED[index]
        else:
            adjective = _ADJECTIVES[index % len(_ADJECTIVES)]
            noun = _NOUNS[(index // len(_ADJECTIVES)) % len(_NOUNS)]
            business_id = f"{adjective}-{noun}-{index}"
            name = f"{adjective.title()} {noun.title()} {index}"
            tz = _TIMEZONES[index % len(_TIMEZONES)]
        planted = PATTERN[index % len(PATTERN)] if effects else ()
        surge = effects and index % len(PATTERN) == SURGE_INDEX
        result.append(DemoBusiness(business_id, name, tz, planted, surge))
    return result


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


def _arrow_audience(business_id: str, columns: dict[str, np.ndarray]) -> pa.Table:
    n = columns["day"].size
    table = {"business_id": pa.array(np.full(n, business_id, dtype=object), pa.string())}
    for name, values in columns.items():
        if name == "day":
            table[name] = pa.array((values - _EPOCH_ORDINAL).astype(np.int32), pa.date32())
        elif values.dtype == object:
            table[name] = pa.array(values, pa.string())
        else:
            table[name] = pa.array(values, pa.int64())
    return pa.table(table)


def _arrow_content(parts: list[dict[str, np.ndarray]]) -> pa.Table:
    columns = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    return pa.table({
        "platform": pa.array(columns["platform"], pa.string()),
        "content_id": pa.array(columns["content_id"], pa.string()),
        "business_id": pa.array(columns["business_id"], pa.string()),
        "content_type": pa.array(columns["content_type"], pa.string()),
        "published_at": pa.array(columns["published_at"], pa.timestamp("us", tz="UTC")),
        "title": pa.array(columns["title"], pa.string()),
        "permalink": pa.array(columns["permalink"], pa.string()),
        "published_time_known": pa.array(columns["published_time_known"], pa.bool_()),
    })


_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


def _arrow_metrics(parts: list[dict[str, np.ndarray]]) -> pa.Table:
    columns = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    reach = columns["reach"]
    return pa.table({
        "platform": pa.array(columns["platform"], pa.string()),
        "content_id": pa.array(columns["content_id"], pa.string()),
        "observed_on": pa.array((columns["observed_on"] - _EPOCH_ORDINAL).astype(np.int32),
                                pa.date32()),
        "views": columns["views"],
        "reach": pa.array(reach, pa.int64(), mask=reach < 0),
        "likes": columns["likes"],
        "shares": columns["shares"],
        "comments": columns["comments"],
        "clicks": columns["clicks"],
    })


def _holds_other_data(path: Path) -> bool:
    """True when the warehouse at ``path`` holds anything the demo did not write: an ingested
    file, a delivery, account-level rows, or observations from another source."""
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error:
        return True
    try:
        tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        if "content_metrics" not in tables:
            return bool(tables - {"schema_migrations"})
        # tables the demo never writes: any row there came from somewhere else
        for table in ("ingest_files", "delivery_log"):
            if table in tables and con.execute(
                f"SELECT EXISTS (SELECT 1 FROM {sql.quote_identifier(table)})"
            ).fetchone()[0]:
                return True
        # the demo writes account rows too (source 'demo'); any other source is real data
        for table in ("account_metrics", "followers"):
            if table in tables and con.execute(
                f"SELECT EXISTS (SELECT 1 FROM {sql.quote_identifier(table)} "
                "WHERE source_file IS DISTINCT FROM ?)", [DEMO_SOURCE]
            ).fetchone()[0]:
                return True
        return con.execute(
            "SELECT EXISTS (SELECT 1 FROM content_metrics WHERE source_file <> ?)"
            " OR EXISTS (SELECT 1 FROM businesses b WHERE NOT EXISTS ("
            "     SELECT 1 FROM content c WHERE c.business_id = b.business_id))",
            [DEMO_SOURCE],
        ).fetchone()[0]
    finally:
        con.close()


def generate(
    path: Path,
    *,
    businesses: int = 5,
    seed: int = 42,
    as_of: date | None = None,
    days: int = 180,
    effects: bool = True,
    force: bool = False,
    progress: Callable[[int], None] | None = None,
    timeout: float | None = None,
    on_wait: access.OnWait | None = None,
) -> DemoSummary:
    """Build the demo warehouse at ``path`` (replacing an earlier demo there).

    The whole rebuild holds the writer lock every writer takes (waiting up to ``timeout``
    seconds for it), so no ingest or send writes into the warehouse being replaced, and the
    check for real data is made under it. The warehouse is built in a scratch file beside the
    target and renamed over it at the end, so a crash never leaves half a warehouse; a killed
    demo's scratch file is removed by the next writer. A warehouse holding data that did not
    come from the demo is not replaced unless ``force``.
    """
    if not 1 <= businesses <= 100_000:
        raise AnalyticsError(f"--businesses must be from 1 to 100000, not {businesses}")
    if not 7 <= days <= 3650:
        raise AnalyticsError(f"--days must be from 7 to 3650, not {days}")
    as_of = as_of or date.today()
    path = Path(path)
    with access.write_lock(path, "demo", timeout=timeout, on_wait=on_wait):
        if path.exists() and not force and _holds_other_data(path):
            raise AnalyticsError(
                f"{path} holds data that did not come from the demo; pass --force to replace "
                "it, or --db to build the demo elsewhere"
            )
        temp = access.scratch_path(path, "demo")
        try:
            posts, observations, people = _build(temp, businesses, seed, as_of, days, effects,
                                                 progress)
            _fold_wal(path)
            temp.replace(path)
        finally:
            for leftover in (temp, Path(f"{temp}.wal")):
                leftover.unlink(missing_ok=True)
    return DemoSummary(path, people, posts, observations, as_of, seed)


def _fold_wal(path: Path) -> None:
    """Fold a write-ahead log left beside the old warehouse (by a writer that crashed) into it
    before the file is replaced, so no WAL is ever deleted, nor replayed onto the new file.
    Called under the writer lock: no live writer owns that WAL."""
    if not Path(f"{path}.wal").exists():
        return
    try:
        con = duckdb.connect(str(path))
        con.execute("CHECKPOINT")
        con.close()
    except duckdb.Error as exc:
        raise AnalyticsError(
            f"{path}.wal holds changes that could not be applied to {path} "
            f"({str(exc).splitlines()[0]}); move both files aside, then run the demo again"
        ) from exc


def _build(
    temp: Path, businesses: int, seed: int, as_of: date, days: int, effects: bool,
    progress: Callable[[int], None] | None,
) -> tuple[int, int, list[DemoBusiness]]:
    """Write the demo warehouse into ``temp``; returns (posts, observations, businesses)."""
    people = demo_businesses(businesses, effects)
    ingested_at = datetime.combine(as_of, time(0), tzinfo=UTC)
    posts = observations = 0
    con = warehouse.connect(temp)
    try:
        con.executemany(
            "INSERT INTO businesses (business_id, name, timezone, recipients) VALUES (?, ?, ?, ?)",
            [[b.business_id, b.name, b.timezone, [f"marketing@{b.business_id}.example"]]
             for b in people],
        )
        rival = DemoBusiness(*RIVAL, ())
        con.execute("INSERT INTO businesses (business_id, name, timezone) VALUES (?, ?, ?)",
                    list(RIVAL))
        con.execute("INSERT INTO competitors VALUES (?, ?)", [rival.business_id,
                                                               people[0].business_id])
        batch_content: list[dict[str, np.ndarray]] = []
        batch_metrics: list[dict[str, np.ndarray]] = []
        batch_comments: list[pa.Table] = []
        batch_rows = 0

        def flush() -> None:
            nonlocal batch_rows
            if not batch_content:
                return
            con.register("_demo_content", _arrow_content(batch_content))
            con.register("_demo_metrics", _arrow_metrics(batch_metrics))
            con.execute("INSERT INTO content SELECT * FROM _demo_content")
            hashtags.store(con, [
                (p, c, t) for part in batch_content
                for p, c, t in zip(part["platform"], part["content_id"], part["title"],
                                   strict=True)
            ])
            con.execute(
                "INSERT INTO content_metrics SELECT *, ? AS source_file, ? AS ingested_at "
                "FROM _demo_metrics",
                [DEMO_SOURCE, ingested_at],
            )
            con.unregister("_demo_content")
            con.unregister("_demo_metrics")
            con.register("_demo_comments", pa.concat_tables(batch_comments))
            con.execute("INSERT INTO comments SELECT *, ? AS source_file, ? AS ingested_at "
                        "FROM _demo_comments", [DEMO_SOURCE, ingested_at])
            con.unregister("_demo_comments")
            batch_comments.clear()
            batch_content.clear()
            batch_metrics.clear()
            batch_rows = 0

        for index, business in [(RIVAL_STREAM, rival), *enumerate(people)]:
            content, metrics = _business_tables(business, index, seed, as_of, days)
            if business is rival:
                keep = np.random.default_rng([seed, index, 1]).random(
                    content["content_id"].size) < 0.6
                content, metrics = _subset(content, metrics, keep)
            batch_comments.append(_comments(content, seed, index, as_of))
            batch_content.append(content)
            batch_metrics.append(metrics)
            follower_rows, account_rows = _audience_tables(business, index, seed, as_of, days)
            con.register("_demo_followers", _arrow_audience(business.business_id, follower_rows))
            con.register("_demo_account", _arrow_audience(business.business_id, account_rows))
            con.execute(
                "INSERT INTO followers (business_id, platform, day, followers, source_file,"
                " ingested_at) SELECT business_id, platform, day, followers, ?, ?"
                " FROM _demo_followers", [DEMO_SOURCE, ingested_at])
            con.execute(
                "INSERT INTO account_metrics (business_id, platform, metric, day, value,"
                " source_file, ingested_at) SELECT business_id, platform, metric, day, value,"
                " ?, ? FROM _demo_account", [DEMO_SOURCE, ingested_at])
            con.unregister("_demo_followers")
            con.unregister("_demo_account")
            posts += content["content_id"].size
            observations += metrics["views"].size
            batch_rows += metrics["views"].size
            if batch_rows >= 1_000_000:
                flush()
            if progress and business is not rival:
                progress(1)
        flush()
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return posts, observations, people
