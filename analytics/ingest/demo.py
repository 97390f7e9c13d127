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
28 days get about one comment each, drawn from ``demo_content.COMMENTS`` (known sentiment, two
of them in forms the lexicon must leave unscored). The posts, captions and comments are made
in :mod:`analytics.ingest.demo_content`, the audience in :mod:`analytics.ingest.demo_audience`;
this module plants the effects and writes the warehouse.

With ``effects=False`` every business is a control.

Audience (``report.json`` ``audience``): every business has a follower history and daily
account metrics on all six platforms for the same 180 days (readings up to the day before
``as_of``): followers start at 500–20,000 per platform and grow 0.05–0.3 % a day with noise
(some days lose followers); account-level views are about 1.3× the day's post views, and
Facebook and Instagram also report reach. Planted: ``demo_audience.SURGE_INDEX``
(alpine-outfitters, and every 5th after) gains ``demo_audience.SURGE_FOLLOWERS`` extra
Instagram followers over the last complete week before ``as_of`` (the report's default
week) — its audience card shows the surge. Follower data feeds no insight, so the business
stays an insights control.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

from analytics import AnalyticsError, warehouse
from analytics.ingest import hashtags
from analytics.ingest.demo_audience import SURGE_INDEX, _audience_tables
from analytics.ingest.demo_content import _business_tables, _comments, _subset
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
#: A competitor of the first business (no report, no email: only its benchmarks), posting
#: about 40 % less often; its random stream is one no client uses.
RIVAL = ("rival-roasters", "Rival Roasters", "Europe/London")
RIVAL_STREAM = 1_000_000

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
