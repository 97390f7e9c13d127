"""The report model: one typed object per (business, period), and its ``report.json``.

``build_reports`` computes the models of many businesses from one snapshot per shard (one scan
of the warehouse, each grouped query run once, per shard of a few hundred businesses);
``build_report`` is the one-business case. Every output (JSON, HTML, PDF, notebook, email)
reads this model; none computes a number itself.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import duckdb
import orjson

from analytics import __version__, config
from analytics.metrics import history as history_module
from analytics.metrics import intel
from analytics.metrics.benchmarks import BenchmarkRow, benchmark
from analytics.metrics.caption_features import CaptionFeatureRow
from analytics.metrics.experiments import ExperimentRow
from analytics.metrics.hashtags import HashtagRow
from analytics.metrics.history import Audience, BusinessHistory, HistoryPoint
from analytics.metrics.period import Period, as_period, local_today, parse_date
from analytics.metrics.results import (
    ContentRow,
    Insights,
    Overview,
    OverviewDoc,
    PlatformRow,
    PostRow,
    TrendPoint,
)
from analytics.metrics.sentiment import SentimentDoc, summarise
from analytics.metrics.snapshot import Scope, Snapshot
from analytics.records import Record
from analytics.report.files import atomic_write, report_dir
from analytics.warehouse import limit_for_batch
from analytics.warehouse.access import DataState, Warehouse, data_state
from analytics.warehouse.businesses import (
    Business,
    competitors_of,
    list_businesses,
    shard_count,
    split_shards,
)

#: Bumped when a key of report.json changes meaning (keys are only ever added).
REPORT_FORMAT = 1


@dataclass(frozen=True)
class BusinessInfo(Record):
    """``report.json`` ``business``."""

    business_id: str
    name: str
    timezone: str


@dataclass(frozen=True)
class PeriodInfo(Record):
    """``report.json`` ``period``: the bounds, the as-of day and the trend chart's window."""

    start: str
    end: str
    label: str
    as_of: str
    days: int
    #: complete once the period's last day is past: counters as of a day are taken during it
    complete: bool
    trend_start: str
    trend_end: str
    #: local days of the business's first and last post in the warehouse (None: no posts),
    #: so a period before its data starts says so
    data_start: str | None = None
    data_end: str | None = None


@dataclass(frozen=True)
class ReportDoc(Record):
    """The whole of ``report.json``: the contract every output reads (see DESIGN.md)."""

    report_format: int
    analytics_version: str
    business: BusinessInfo
    period: PeriodInfo
    overview: OverviewDoc
    content: list[ContentRow]
    platforms: list[PlatformRow]
    trends: list[TrendPoint]
    insights: Insights
    #: the warehouse state the report was read from (null when built outside a batch)
    warehouse: DataState | None
    #: every post of the period (``content`` holds only the top ones): the HTML lists them all
    posts: list[PostRow]
    #: the last periods of the report's kind, oldest first, ending with its own period
    history: list[HistoryPoint]
    audience: Audience
    hashtags: list[HashtagRow]
    caption_features: list[CaptionFeatureRow]
    experiments: list[ExperimentRow]
    benchmarks: list[BenchmarkRow]
    sentiment: SentimentDoc | None
    #: every day of the previous equal-length period (``overview.previous``'s, uncut), as
    #: ``trends``: the trend chart draws it faintly over this period's days
    previous_trends: list[TrendPoint]


@dataclass(frozen=True)
class Report:
    """Everything one business's report shows, for one period, as of one day."""

    business: Business
    period: Period
    as_of: date
    overview: Overview
    content: list[ContentRow]
    platforms: list[PlatformRow]
    trends: list[TrendPoint]
    insights: Insights
    trend_start: date
    trend_end: date
    #: the warehouse state the batch read (see :mod:`analytics.warehouse.access`)
    data_state: DataState | None = None
    posts: list[PostRow] = field(default_factory=list)
    history: list[HistoryPoint] = field(default_factory=list)
    audience: Audience = field(default_factory=lambda: Audience({}, None))
    intel: intel.ContentIntel = field(default_factory=intel.ContentIntel)
    benchmarks: list[BenchmarkRow] = field(default_factory=list)
    sentiment: SentimentDoc | None = None
    previous_trends: list[TrendPoint] = field(default_factory=list)

    @property
    def data_span(self) -> tuple[date | None, date | None]:
        """The local days of the business's first and last post in the warehouse."""
        return local_day(self.business, self.business.first_post), \
            local_day(self.business, self.business.last_post)

    @property
    def is_empty(self) -> bool:
        """No posts in the period: the report says so instead of drawing zeros."""
        return self.overview.current.posts == 0

    def doc(self) -> ReportDoc:
        """The typed ``report.json``."""
        period = self.period
        return ReportDoc(
            report_format=REPORT_FORMAT,
            analytics_version=__version__,
            business=BusinessInfo(self.business.business_id, self.business.name,
                                  self.business.timezone),
            period=PeriodInfo(
                start=period.start.isoformat(),
                end=period.end.isoformat(),
                label=period.label,
                as_of=self.as_of.isoformat(),
                days=period.days,
                complete=period.is_complete(self.as_of),
                trend_start=self.trend_start.isoformat(),
                trend_end=self.trend_end.isoformat(),
                data_start=self.data_span[0].isoformat() if self.data_span[0] else None,
                data_end=self.data_span[1].isoformat() if self.data_span[1] else None,
            ),
            overview=self.overview.doc(),
            content=self.content,
            platforms=self.platforms,
            trends=self.trends,
            insights=self.insights,
            warehouse=self.data_state,
            posts=self.posts,
            history=self.history,
            audience=self.audience,
            hashtags=self.intel.hashtags,
            caption_features=self.intel.caption_features,
            experiments=self.intel.experiments,
            benchmarks=self.benchmarks,
            sentiment=self.sentiment,
            previous_trends=self.previous_trends,
        )

    def to_dict(self) -> dict[str, Any]:
        """``report.json`` as plain dicts and lists (what templates see as ``r``)."""
        return self.doc().to_dict()

    def to_json(self) -> bytes:
        """UTF-8 JSON, indented; stable bytes: same warehouse, period and as-of → same file.

        orjson writes any non-finite float as null, so no NaN ever reaches report.json.
        """
        return orjson.dumps(self.to_dict(), option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)


class ReportBatch:
    """The reports of many businesses, yielded one at a time as ``(business, Report)``, or
    ``(business, exception)`` for a business whose report could not be built: one business
    failing never stops the others.

    The businesses are split into shards of about ``shard_size`` by a stable hash of their id
    and read one shard at a time (:meth:`read_shards`), so memory follows the shard, not the
    batch. Each shard is one consistent read: its businesses, its snapshot with every query
    run (``Snapshot.fetch_all``), and when asked the warehouse state it saw (``read_state``)
    and every post of the period (``read_posts``, for the exports). Given a
    :class:`~analytics.warehouse.access.Warehouse`, each shard's read is its own short
    read-only session, closed before the shard's reports are assembled: a writer waits for
    one shard's read, never for the rendering. Given a connection (a caller holding the
    warehouse, ``send`` under its writer lock), the shards are read on it.

    ``on_read`` is called once everything has been read (before the last shard's reports are
    assembled). Given a connection with ``on_read``, the batch reads all its businesses in one
    read, so the caller can close the connection there (a notebook comparing businesses from
    one state). ``held_seconds`` adds up the time spent reading.

    Reports come shard by shard, in id order within a shard (one shard, hence id order, up to
    ``shard_size`` businesses). Without ``as_of``, each business is counted as of its own
    local today at ``now`` (default: the present moment); businesses whose local days differ
    are read as one group per day."""

    def __init__(
        self,
        source: duckdb.DuckDBPyConnection | Warehouse,
        business_ids: Sequence[str] | None,
        period: Period | str,
        as_of: date | str | None = None,
        *,
        limit: int = config.CONTENT_LIMIT_DEFAULT,
        shard_size: int = config.SHARD_BUSINESSES,
        on_read: Callable[[], None] | None = None,
        history: int = config.HISTORY_PERIODS,
        read_state: bool = False,
        read_posts: bool = False,
        now: datetime | None = None,
    ):
        self._source = source
        self._on_read = on_read
        self._read_state, self._read_posts = read_state, read_posts
        self.held_seconds = 0.0
        self.period = as_period(period)
        fixed = None if as_of is None else parse_date(as_of, "as_of")
        self.limit = limit
        self.shard_size = shard_size
        #: periods of history per report (0: no history or audience, as before issue 12;
        #: the benchmark's baseline)
        self.history = history
        #: every history row the batch computed (all businesses, all periods, as Arrow
        #: tables, one per shard), for :func:`analytics.metrics.history.store` once the
        #: batch is done
        self.history_rows: list[Any] = []
        with self._reading() as con:  # a short read of its own, given a Warehouse
            self.businesses = list_businesses(con, business_ids, clients_only=True)
        # without an as-of date, each business is counted as of its own local today (the
        # server's date is no business's: at 07:00 UTC on Monday it is Sunday in Los Angeles)
        moment = now or datetime.now(UTC)
        self._as_of_of = {b.business_id: fixed or local_today(b.timezone, moment)
                          for b in self.businesses}
        #: the as-of date (given, else the businesses' local today: the earliest when they
        #: span two days; each report records its own)
        self.as_of = fixed or min(self._as_of_of.values(), default=local_today("UTC", moment))

    @property
    def total(self) -> int:
        return len(self.businesses)

    def shards(self) -> list[list[Business]]:
        """The businesses of each non-empty shard."""
        by_id = {b.business_id: b for b in self.businesses}
        groups = split_shards(list(by_id), shard_count(len(by_id), self.shard_size))
        return [[by_id[i] for i in group] for group in groups if group]

    @contextlib.contextmanager
    def _reading(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection for one read: a short session of the warehouse (closed on exit), or
        the caller's connection; the time it took is added to ``held_seconds``."""
        started = time.perf_counter()
        try:
            if isinstance(self._source, Warehouse):
                with self._source.read() as con:
                    limit_for_batch(con)
                    yield con
            else:
                yield self._source
        finally:
            self.held_seconds += time.perf_counter() - started

    def read_shards(self) -> Iterator[ShardRead]:
        """Each shard, read (see the class); its reports come from :meth:`ShardRead.reports`.
        The next shard is read once the consumer asks for it, so one shard's rows are held at
        a time."""
        whole = self._on_read is not None and not isinstance(self._source, Warehouse)
        groups = ([self.businesses] if self.businesses else []) if whole else self.shards()
        # one snapshot per as-of day within a shard (one, unless local days differ)
        groups = [[b for b in group if self._as_of_of[b.business_id] == day]
                  for group in groups
                  for day in sorted({self._as_of_of[b.business_id] for b in group})]
        if not groups and self._on_read:
            self._on_read()
        for n, group in enumerate(groups):
            shard = self._read(group, self._as_of_of[group[0].business_id])
            if n == len(groups) - 1 and self._on_read:
                self._on_read()
            yield shard

    def _read(self, group: list[Business], as_of: date) -> ShardRead:
        ids = [b.business_id for b in group]
        with self._reading() as con:
            if isinstance(self._source, Warehouse):
                # listed again in this read: first and last posts as of the same state
                group = list_businesses(con, ids, clients_only=True)
            # the shard's clients' competitors ride along in its snapshot, for their own
            # clients' benchmarks only (a competitor has one client, so one shard)
            rivals = competitors_of(con, ids)
            scoped = ids + sorted({c.business_id for cs in rivals.values() for c in cs}
                                  - set(ids))
            snapshot = Snapshot(con, Scope.build(scoped, self.period, as_of,
                                                 history=self.history))
            histories = {}
            if self.history:  # read on the connection, before it is released
                computed = history_module.compute(con, snapshot)
                self.history_rows.append(computed.table)
                histories = computed.businesses
            snapshot.fetch_all(self.limit)
            state = data_state(con) if self._read_state else None
            posts = {}
            if self._read_posts:
                from analytics.report.posts import period_posts

                posts = period_posts(con, ids, self.period, as_of)
        return ShardRead(group, snapshot, state, posts, histories, rivals)

    def __iter__(self) -> Iterator[tuple[Business, Report | Exception]]:
        for shard in self.read_shards():
            yield from shard.reports(self.limit)


@dataclass
class ShardRead:
    """One shard of a :class:`ReportBatch`, read: its businesses, its snapshot (every query
    already run, so the warehouse may be released), and what else was asked of the same
    read: the warehouse state it saw, every post of the period per business, each business's
    history, and each client's competitors."""

    businesses: list[Business]
    snapshot: Snapshot | None
    state: DataState | None = None
    posts: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    #: each business's history and audience (computed on the shard's read)
    histories: dict[str, BusinessHistory] = field(default_factory=dict)
    #: each client's competitors (in the snapshot too), for its benchmarks
    rivals: dict[str, list[Business]] = field(default_factory=dict)

    def reports(self, limit: int) -> Iterator[tuple[Business, Report | Exception]]:
        """The shard's reports, one at a time; its snapshot is dropped once they are done
        (before the next shard is read)."""
        snapshot, self.snapshot = self.snapshot, None
        if snapshot is None:
            return
        try:
            for business in self.businesses:
                try:
                    yield business, _assemble(
                        snapshot, business, limit,
                        self.histories.get(business.business_id, NO_HISTORY),
                        self.rivals.get(business.business_id, []))
                except Exception as exc:  # noqa: BLE001 - reported per business by the caller
                    yield business, exc
        finally:
            snapshot.close()


def build_reports(
    con: duckdb.DuckDBPyConnection,
    business_ids: Sequence[str] | None,
    period: Period | str,
    as_of: date | str | None = None,
    *,
    limit: int = config.CONTENT_LIMIT_DEFAULT,
    now: datetime | None = None,
) -> Iterator[Report]:
    """The report models of ``business_ids`` (all businesses when None), shard by shard
    (see :class:`ReportBatch`; in id order up to a shard's size).

    One snapshot serves each shard: one scan of the warehouse, each grouped query run once.
    Models are yielded one at a time, so a caller can write each as it comes. The first
    business whose model cannot be built raises (use :class:`ReportBatch` to go on past it).
    """
    for _, result in ReportBatch(con, business_ids, period, as_of, limit=limit, now=now):
        if isinstance(result, Exception):
            raise result
        yield result


NO_HISTORY = BusinessHistory([], Audience({}, None))


def local_day(business: Business, ts: datetime | None) -> date | None:
    """The business's own calendar day of a timestamp (None stays None)."""
    return None if ts is None else ts.astimezone(ZoneInfo(business.timezone)).date()


def _assemble(snapshot: Snapshot, business: Business, limit: int,
              history: BusinessHistory = NO_HISTORY,
              competitors: Sequence[Business] = ()) -> Report:
    business_id = business.business_id
    scope = snapshot.scope
    insights, content_intel = intel.for_snapshot(snapshot, business_id)
    return Report(
        business=business,
        period=snapshot.scope.period,
        as_of=snapshot.scope.as_of,
        # the data's first day decides whether the previous period was covered at all
        overview=replace(snapshot.overview(business_id),
                         data_start=local_day(business, business.first_post)),
        content=snapshot.content_rows(business_id, limit, config.MIN_VIEWS_FOR_RANKING),
        platforms=snapshot.platform_rows(business_id),
        trends=snapshot.trend_rows(business_id),
        insights=insights,
        trend_start=snapshot.scope.trend_start,
        trend_end=snapshot.scope.trend_end,
        posts=snapshot.post_rows(business_id),
        history=history.points,
        audience=history.audience,
        intel=content_intel,
        benchmarks=benchmark(business, list(competitors), snapshot.benchmark_mix,
                             scope.trend_start, scope.trend_end),
        sentiment=summarise(snapshot.comments.get(business_id, [])),
        previous_trends=snapshot.trend_rows(business_id, previous=True),
    )


def build_report(
    con: duckdb.DuckDBPyConnection,
    business_id: str,
    period: Period | str,
    as_of: date | str | None = None,
    *,
    limit: int = config.CONTENT_LIMIT_DEFAULT,
    now: datetime | None = None,
) -> Report:
    """The report model of one business (see :func:`build_reports`); without ``as_of``, as
    of the business's local today (at ``now``, default the present moment)."""
    (report,) = build_reports(con, [business_id], period, as_of, limit=limit, now=now)
    return report


def write_json(report: Report, out: str | Path) -> Path:
    """Write ``report.json`` for a report; returns its path."""
    folder = report_dir(out, report.business.business_id, report.period)
    return atomic_write(folder / "report.json", report.to_json())
