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
1      ``best_window``         posts on Tuesday 18:00–21:00 local earn 1.8× the engagement
                               rate of posts at other times
2      ``declining_facebook``  Facebook views per post fall linearly to 25 % of their
                               start over the 180 days
3, 4   none                    (controls: insights should claim nothing)
=====  ======================  ==========================================================

With ``effects=False`` every business is a control.
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

from analytics import AnalyticsError, warehouse
from analytics.warehouse import access, sql

DEMO_SOURCE = "demo"

EFFECTS = {
    "video_linkedin": "LinkedIn video earns about 2× the engagement rate of other LinkedIn posts",
    "best_window": "posts on Tuesday 18:00–21:00 local time earn about 1.8× the engagement rate",
    "declining_facebook": "Facebook views per post fall steadily, to 25 % of their start",
}
PATTERN: tuple[tuple[str, ...], ...] = (
    ("video_linkedin",), ("best_window",), ("declining_facebook",), (), (),
)
VIDEO_LIFT = 2.0
WINDOW_LIFT = 1.8
WINDOW = (2, 18, 21)  # ISO weekday (Tuesday), first hour, end hour (exclusive)
DECLINE_TO = 0.25

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
        result.append(DemoBusiness(business_id, name, tz, planted))
    return result


def _choice(rng: np.random.Generator, weights: dict[str, float], size: int) -> np.ndarray:
    keys = np.array(list(weights), dtype=object)
    p = np.array(list(weights.values()), dtype=float)
    return keys[rng.choice(len(keys), size=size, p=p / p.sum())]


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
            [_TITLES[t].format(name=business.name) for t in title_pick], dtype=object
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
        for table in ("ingest_files", "delivery_log", "account_metrics", "followers"):
            if table in tables and con.execute(
                f"SELECT EXISTS (SELECT 1 FROM {sql.quote_identifier(table)})"
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
            "INSERT INTO businesses VALUES (?, ?, ?, ?)",
            [[b.business_id, b.name, b.timezone, [f"marketing@{b.business_id}.example"]]
             for b in people],
        )
        batch_content: list[dict[str, np.ndarray]] = []
        batch_metrics: list[dict[str, np.ndarray]] = []
        batch_rows = 0

        def flush() -> None:
            nonlocal batch_rows
            if not batch_content:
                return
            con.register("_demo_content", _arrow_content(batch_content))
            con.register("_demo_metrics", _arrow_metrics(batch_metrics))
            con.execute("INSERT INTO content SELECT * FROM _demo_content")
            con.execute(
                "INSERT INTO content_metrics SELECT *, ? AS source_file, ? AS ingested_at "
                "FROM _demo_metrics",
                [DEMO_SOURCE, ingested_at],
            )
            con.unregister("_demo_content")
            con.unregister("_demo_metrics")
            batch_content.clear()
            batch_metrics.clear()
            batch_rows = 0

        for index, business in enumerate(people):
            content, metrics = _business_tables(business, index, seed, as_of, days)
            batch_content.append(content)
            batch_metrics.append(metrics)
            posts += content["content_id"].size
            observations += metrics["views"].size
            batch_rows += metrics["views"].size
            if batch_rows >= 1_000_000:
                flush()
            if progress:
                progress(1)
        flush()
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return posts, observations, people
