"""The snapshot every metric is computed from, for one business or a thousand at once.

A :class:`Snapshot` materialises ``queries/post_facts.sql`` (one row per post in scope, with its
counters as of the report's as-of date, at the previous period's equal age, and at a fixed age)
as a temporary table, then runs each grouped metric query over it at most once and splits the
rows per business. A batch of a thousand reports therefore costs one scan of the warehouse and
one run of each query, not a thousand.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import os
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import duckdb
import numpy as np

from analytics import config
from analytics.metrics.period import Period
from analytics.metrics.results import (
    SAME_AGE,
    SAME_DAY,
    ContentRow,
    Overview,
    PlatformRow,
    PlatformTotals,
    PostRow,
    Totals,
    TrendPoint,
)
from analytics.metrics.usual import UsualChanges, UsualRange
from analytics.warehouse import sql


@dataclass(frozen=True)
class Scope:
    """What a snapshot covers: businesses, the period, the as-of date and the side windows."""

    business_ids: tuple[str, ...]
    period: Period
    as_of: date
    trend_start: date
    trend_end: date
    lookback_start: date
    #: the history's periods (oldest first, ending with ``period``); empty: no history
    history: tuple[Period, ...] = ()

    @classmethod
    def build(
        cls,
        business_ids: Sequence[str],
        period: Period,
        as_of: date,
        trend_days: int | None = None,
        history: int = 0,
    ) -> Scope:
        """``history``: how many periods of the period's kind (ending with it) the snapshot
        also covers, for ``report.json`` ``history`` (0: none, so no wider scan)."""
        if trend_days is None:
            trend_days = min(max(period.days, config.TREND_DAYS_MIN_IN_REPORT),
                             config.TREND_DAYS_RANGE[1])
        return cls(
            business_ids=tuple(business_ids),
            period=period,
            as_of=as_of,
            trend_start=period.end - timedelta(days=trend_days - 1),
            trend_end=period.end,
            lookback_start=period.end - timedelta(days=config.INSIGHT_LOOKBACK_DAYS - 1),
            history=tuple(period.series(history)) if history else (),
        )

    @property
    def previous(self) -> Period:
        """The previous equal-length period, cut to as many days as the current one has had:
        a week seen on its Wednesday is compared with Monday–Wednesday of the week before,
        not with all seven days."""
        full = self.period.previous()
        seen = (min(self.period.end, self.as_of) - self.period.start).days + 1
        if seen >= self.period.days:
            return full
        return Period.from_dates(full.start, full.start + timedelta(days=max(seen, 1) - 1))

    @property
    def prev_as_of(self) -> date:
        """Previous-period posts are seen at the same age as the current ones."""
        return self.as_of - timedelta(days=self.period.days)

    def params(self) -> dict[str, Any]:
        prev = self.previous
        return {
            "business_ids": list(self.business_ids),
            "start": self.period.start,
            "end": self.period.end,
            "prev_start": prev.start,
            "prev_end": prev.end,
            "as_of": self.as_of,
            "prev_as_of": self.prev_as_of,
            "trend_start": self.trend_start,
            "trend_end": self.trend_end,
            "lookback_start": self.lookback_start,
            "scope_start": min(prev.start, self.trend_start, self.lookback_start,
                               *(p.start for p in self.history[:1])),
            "scope_end": self.period.end,
            "fixed_age": config.INSIGHT_FIXED_AGE_DAYS,
            "min_views": config.MIN_VIEWS_FOR_RANKING,
        }


def usual_range(blocks: Sequence[float | None], relative: bool) -> UsualRange | None:
    """The one rule for "a usual change": the 10th–90th percentile of the changes between
    consecutive equal periods before the report's (``blocks[0]`` is the report's own period,
    left out; ``blocks[k]`` the k-th period before it), each change in percent of the
    earlier period (``relative``) or as a difference (a rate's percentage points). A pair
    with an unknown figure, or an earlier figure of 0 for a percent change, gives no change;
    None with fewer than ``config.USUAL_RANGE_MIN_CHANGES`` changes (a month has too few in
    26 weeks)."""
    changes = []
    for later, earlier in itertools.pairwise(blocks[1:]):
        if later is None or earlier is None or (relative and earlier == 0):
            continue
        changes.append((later - earlier) * 100.0 / earlier if relative else later - earlier)
    if len(changes) < config.USUAL_RANGE_MIN_CHANGES:
        return None
    low, high = np.percentile(changes, [10, 90])
    return UsualRange(low=float(low), high=float(high), changes=len(changes))


def _by_business(rows: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Split rows ordered by business_id into one list per business (business_id dropped)."""
    grouped: dict[str, list[dict[str, Any]]] = {}
    for business_id, group in itertools.groupby(rows, key=lambda r: r["business_id"]):
        grouped[business_id] = [{k: v for k, v in r.items() if k != "business_id"} for r in group]
    return grouped


def _local_iso(ts: Any, tz: str) -> str | None:
    return None if ts is None else ts.astimezone(ZoneInfo(tz)).isoformat()


def _post_values(row: dict[str, Any]) -> dict[str, Any]:
    values = {k: row[k] for k in ContentRow.columns()}
    values["published_at"] = _local_iso(row["published_at"], row["timezone"])
    return values


#: Numbers the snapshots' temporary tables, so no two on a connection ever share one.
_TABLE_NUMBERS = itertools.count(1)


def _drop_table(con: duckdb.DuckDBPyConnection, table: str) -> None:
    # the connection may already be closed, or the interpreter shutting down
    with contextlib.suppress(Exception):
        con.execute("DROP TABLE IF EXISTS " + sql.quote_identifier(table))


class Snapshot:
    """The ``post_facts`` rows of a scope, and each grouped query over them, run at most once.

    Each snapshot owns its own temporary table (dropped when the snapshot is collected), so an
    analyst can keep a W47 and a W45 snapshot side by side on one connection and both stay
    right.
    """

    def __init__(self, con: duckdb.DuckDBPyConnection, scope: Scope):
        self.con = con
        self.scope = scope
        self._params = scope.params()
        self.table = f"post_facts_{os.getpid()}_{next(_TABLE_NUMBERS)}"
        self._relations = {"post_facts": self.table}
        self._top: dict[tuple[int, int, bool], dict[str, list[dict[str, Any]]]] = {}
        con.execute(sql.load("metric_macros"))
        con.execute(
            f"CREATE TEMP TABLE {sql.quote_identifier(self.table)} AS " + sql.load("post_facts"),
            {k: v for k, v in self._params.items() if k in sql.parameters("post_facts")},
        )
        self._finalizer = weakref.finalize(self, _drop_table, con, self.table)

    def close(self) -> None:
        """Drop the temporary table now (a batch moving on to its next shard)."""
        self._finalizer()

    def _grouped(self, name: str, **extra: Any) -> dict[str, list[dict[str, Any]]]:
        return _by_business(
            sql.records(self.con, name, relations=self._relations, **(self._params | extra))
        )

    @functools.cached_property
    def totals(self) -> dict[str, dict[str, Totals]]:
        result: dict[str, dict[str, Totals]] = {}
        for business_id, rows in self._grouped("period_totals").items():
            result[business_id] = {
                r["which"]: Totals(
                    posts=r["posts"],
                    views=r["views"],
                    reach=r["reach"],
                    reach_posts=r["reach_posts"],
                    engagement=r["engagement"],
                    clicks=r["clicks"],
                    engagement_rate=r["engagement_rate"],
                    ctr=r["ctr"],
                    unranked_posts=r["unranked_posts"],
                    unobserved_posts=r["unobserved_posts"],
                    ranking_floor=r["ranking_floor"],
                    usual_views=r["usual_views"],
                    period_median_views=r["period_median_views"],
                    reach_platforms=tuple(r["reach_platforms"]),
                )
                for r in rows
            }
        return result

    @functools.cached_property
    def platforms(self) -> dict[str, list[dict[str, Any]]]:
        return self._grouped("platform_breakdown")

    @functools.cached_property
    def content_types(self) -> dict[str, list[dict[str, Any]]]:
        return self._grouped("content_types")

    @functools.cached_property
    def trends(self) -> dict[str, list[dict[str, Any]]]:
        return self._grouped("daily_trends", same_age=False)

    @functools.cached_property
    def previous_trends(self) -> dict[str, list[dict[str, Any]]]:
        """``daily_trends`` over the whole previous equal-length period (the trend window of
        a month or a quarter is the period itself, so it holds no day of the previous one),
        counted as the cards count it (see :meth:`previous_basis`): at the same age, as of
        ``prev_as_of``, else as of the same day. So the chart's previous line and the card's
        previous figure are one number; counted as of ``as_of``, last week's posts had a week
        more to collect engagement than this week's."""
        previous = self.scope.period.previous()
        window = {"trend_start": previous.start, "trend_end": previous.end}
        rows = self._grouped("daily_trends", same_age=True, **window)
        same_day = {b for b in self.totals if self.previous_basis(b)[1] == SAME_DAY}
        if same_day:  # a first import or a single export: rare, so asked only then
            rows |= {b: r for b, r in self._grouped("daily_trends", same_age=False,
                                                    **window).items() if b in same_day}
        return rows

    @functools.cached_property
    def insight_posts(self) -> dict[str, dict[str, np.ndarray]]:
        """Per business, the insight posts as column arrays (fetched as numpy, not as rows:
        a thousand businesses hold half a million of them)."""
        columns = sql.execute(self.con, "insight_posts", relations=self._relations,
                              **self._params).fetchnumpy()
        ids = columns.pop("business_id")
        if not ids.size:
            return {}
        starts = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1]])
        ends = np.r_[starts[1:], ids.size]
        return {
            ids[a]: {name: values[a:b] for name, values in columns.items()}
            for a, b in zip(starts, ends, strict=True)
        }

    @functools.cached_property
    def post_tags(self) -> dict[str, list[dict[str, Any]]]:
        """Per business, the hashtags and A/B tags of its insight posts (``post_tags.sql``)."""
        return self._grouped("post_tags")

    @functools.cached_property
    def experiment_members(self) -> dict[str, list[dict[str, Any]]]:
        """Per business, the insight posts that experiments files put in an experiment."""
        return self._grouped("experiment_members")

    @functools.cached_property
    def benchmark_mix(self) -> dict[str, list[dict[str, Any]]]:
        """Per business, its posts of the trend window by platform and format (benchmarks)."""
        return self._grouped("benchmark_mix")

    @functools.cached_property
    def comments(self) -> dict[str, list[dict[str, Any]]]:
        """Per business, the period's comments with their sentiment labels."""
        return _by_business(sql.records(self.con, "sentiment_comments", **self._params))

    def top_content(self, limit: int, min_views: int,
                    every_post: bool = False) -> dict[str, list[dict[str, Any]]]:
        # cached on the snapshot itself: a shared lru_cache kept old shards' snapshots alive,
        # and could evict a result a batch needs after its connection was closed
        key = (limit, min_views, every_post)
        if key not in self._top:
            self._top[key] = self._grouped("top_content", limit=limit, min_views=min_views,
                                           every_post=every_post)
        return self._top[key]

    def fetch_all(self, limit: int, min_views: int = config.MIN_VIEWS_FOR_RANKING) -> None:
        """Run every query now, so the caller can close the connection before the reports
        are assembled (insights are computed from these results, not from the warehouse)."""
        _ = self.totals, self.platforms, self.content_types, self.trends, self.insight_posts
        _ = self.post_tags, self.experiment_members, self.benchmark_mix, self.comments
        _ = self.usual_blocks, self.previous_trends
        self.top_content(limit, min_views)
        self.top_content(0, config.MIN_VIEWS_FOR_RANKING, True)  # every post (post_rows)

    # --- per-business answers -------------------------------------------------------------

    def previous_basis(self, business_id: str) -> tuple[Totals, str, date]:
        """The previous period's totals, how they were counted (SAME_AGE or SAME_DAY) and the
        day their counters were read: the one choice the cards and the trend chart share."""
        totals = self.totals.get(business_id, {})
        previous = totals.get("previous", Totals())
        if previous.unobserved_posts:
            # some of its posts were first observed after prev_as_of: same-age counters would
            # claim they had nothing, so both periods are counted as of the same day instead
            return totals["previous_same_day"], SAME_DAY, self.scope.as_of
        return previous, SAME_AGE, self.scope.prev_as_of

    def overview(self, business_id: str) -> Overview:
        current = self.totals.get(business_id, {}).get("current", Totals())
        previous, basis, prev_as_of = self.previous_basis(business_id)
        platforms = [p for p in self.platforms.get(business_id, []) if p["posts"]]
        return Overview(
            current=current,
            previous=previous,
            previous_period=self.scope.previous,
            previous_as_of=prev_as_of,
            growth_basis=basis,
            usual_changes=self.usual_changes(business_id),
            # platform_breakdown.sql orders the most engaging platform first
            top_platform=(
                platforms[0]["platform"] if platforms and platforms[0]["engagement"] else None
            ),
            platform_breakdown={
                p["platform"]: PlatformTotals(
                    posts=p["posts"],
                    views=p["views"],
                    engagement=p["engagement"],
                    engagement_rate=p["engagement_rate"],
                    ctr=p["ctr"],
                )
                for p in platforms
            },
            reach_platforms=tuple(sorted(p["platform"] for p in platforms if p["reach_posts"])),
            reach_excluded_platforms=tuple(
                sorted(p["platform"] for p in platforms if not p["reach_posts"])
            ),
        )

    @functools.cached_property
    def usual_blocks(self) -> dict[str, list[dict[str, Any]]]:
        """Per business, the period and the equal periods before it in the insights lookback,
        at the fixed age (``usual_blocks.sql``)."""
        return self._grouped("usual_blocks")

    def usual_changes(self, business_id: str) -> UsualChanges:
        """The usual change of each card's figure: posts, reach and engagement in percent,
        the engagement rate in percentage points (as the cards show their changes)."""
        length = self.scope.period.days
        # block 0 is the report's period; blocks 1, 2… the equal periods before it, as many
        # as fit whole in the lookback
        count = (self.scope.period.end - self.scope.lookback_start).days // length
        rows = {r["block"]: r for r in self.usual_blocks.get(business_id, [])
                if r["block"] < count}

        def series(name: str) -> list[float | None]:
            # a block without posts has 0 posts and no other figure
            empty = 0 if name == "posts" else None
            return [rows[k][name] if k in rows else empty for k in range(count)]

        return UsualChanges(
            posts=usual_range(series("posts"), relative=True),
            reach=usual_range(series("reach"), relative=True),
            # engagement as the insights count it: a period without such posts earned 0
            engagement=usual_range([v or 0 for v in series("engagement")], relative=True),
            engagement_rate_points=usual_range(series("engagement_rate"), relative=False),
        )

    def platform_rows(self, business_id: str) -> list[PlatformRow]:
        columns = PlatformRow.columns()
        return [PlatformRow(**{k: p[k] for k in columns})
                for p in self.platforms.get(business_id, [])]

    def content_rows(
        self,
        business_id: str,
        limit: int = config.CONTENT_LIMIT_DEFAULT,
        min_views: int = config.MIN_VIEWS_FOR_RANKING,
    ) -> list[ContentRow]:
        return [ContentRow(**_post_values(r))
                for r in self.top_content(limit, min_views).get(business_id, [])]

    def post_rows(self, business_id: str) -> list[PostRow]:
        """Every post of the period: the ranked ones first, in rank order, then the rest."""
        return [PostRow(**_post_values(r))
                for r in self.top_content(0, config.MIN_VIEWS_FOR_RANKING, True)
                .get(business_id, [])]

    def trend_rows(self, business_id: str, previous: bool = False) -> list[TrendPoint]:
        """The trend window's days, or (``previous``) every day of the previous period."""
        columns = TrendPoint.columns()
        rows = (self.previous_trends if previous else self.trends).get(business_id, [])
        return [TrendPoint(**({k: r[k] for k in columns} | {"date": r["date"].isoformat()}))
                for r in rows]
