"""The report model: one typed object per (business, period), and its ``report.json``.

``build_reports`` computes the models of many businesses from one snapshot (one scan of the
warehouse, each grouped query run once); ``build_report`` is the one-business case. Every
output (JSON, HTML, PDF, notebook, email) reads this model; none computes a number itself.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import orjson

from analytics import __version__, config
from analytics.metrics.insights import for_snapshot
from analytics.metrics.period import Period, as_period, parse_date
from analytics.metrics.results import (
    ContentRow,
    Insights,
    Overview,
    OverviewDoc,
    PlatformRow,
    TrendPoint,
)
from analytics.metrics.snapshot import Scope, Snapshot
from analytics.records import Record
from analytics.report.files import atomic_write, report_dir
from analytics.warehouse.businesses import (
    Business,
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
            ),
            overview=self.overview.doc(),
            content=self.content,
            platforms=self.platforms,
            trends=self.trends,
            insights=self.insights,
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
    and built one shard (one snapshot) at a time, so memory follows the shard, not the batch:
    each snapshot's rows are dropped before the next is read. Reports come shard by shard, in
    id order within a shard (one shard, hence id order, up to ``shard_size`` businesses).
    """

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        business_ids: Sequence[str] | None,
        period: Period | str,
        as_of: date | str | None = None,
        *,
        limit: int = config.CONTENT_LIMIT_DEFAULT,
        shard_size: int = config.SHARD_BUSINESSES,
    ):
        self.businesses = list_businesses(con, business_ids)
        self.period = as_period(period)
        self.as_of = date.today() if as_of is None else parse_date(as_of, "as_of")
        self.limit = limit
        self.shard_size = shard_size
        self._con = con

    @property
    def total(self) -> int:
        return len(self.businesses)

    def shards(self) -> list[list[Business]]:
        """The businesses of each non-empty shard."""
        by_id = {b.business_id: b for b in self.businesses}
        groups = split_shards(list(by_id), shard_count(len(by_id), self.shard_size))
        return [[by_id[i] for i in group] for group in groups if group]

    def __iter__(self) -> Iterator[tuple[Business, Report | Exception]]:
        for shard in self.shards():
            ids = [b.business_id for b in shard]
            snapshot = Snapshot(self._con, Scope.build(ids, self.period, self.as_of))
            try:
                for business in shard:
                    try:
                        yield business, _assemble(snapshot, business, self.limit)
                    except Exception as exc:  # noqa: BLE001 - reported per business by the caller
                        yield business, exc
            finally:
                snapshot.close()
                del snapshot  # its rows go before the next shard's are read


def build_reports(
    con: duckdb.DuckDBPyConnection,
    business_ids: Sequence[str] | None,
    period: Period | str,
    as_of: date | str | None = None,
    *,
    limit: int = config.CONTENT_LIMIT_DEFAULT,
) -> Iterator[Report]:
    """The report models of ``business_ids`` (all businesses when None), shard by shard
    (see :class:`ReportBatch`; in id order up to a shard's size).

    One snapshot serves each shard: one scan of the warehouse, each grouped query run once.
    Models are yielded one at a time, so a caller can write each as it comes. The first
    business whose model cannot be built raises (use :class:`ReportBatch` to go on past it).
    """
    for _, result in ReportBatch(con, business_ids, period, as_of, limit=limit):
        if isinstance(result, Exception):
            raise result
        yield result


def _assemble(snapshot: Snapshot, business: Business, limit: int) -> Report:
    business_id = business.business_id
    return Report(
        business=business,
        period=snapshot.scope.period,
        as_of=snapshot.scope.as_of,
        overview=snapshot.overview(business_id),
        content=snapshot.content_rows(business_id, limit, config.MIN_VIEWS_FOR_RANKING),
        platforms=snapshot.platform_rows(business_id),
        trends=snapshot.trend_rows(business_id),
        insights=for_snapshot(snapshot, business_id),
        trend_start=snapshot.scope.trend_start,
        trend_end=snapshot.scope.trend_end,
    )


def build_report(
    con: duckdb.DuckDBPyConnection,
    business_id: str,
    period: Period | str,
    as_of: date | str | None = None,
    *,
    limit: int = config.CONTENT_LIMIT_DEFAULT,
) -> Report:
    """The report model of one business (see :func:`build_reports`)."""
    (report,) = build_reports(con, [business_id], period, as_of, limit=limit)
    return report


def write_json(report: Report, out: str | Path) -> Path:
    """Write ``report.json`` for a report; returns its path."""
    folder = report_dir(out, report.business.business_id, report.period)
    return atomic_write(folder / "report.json", report.to_json())
