"""From a request's period to the report model, and from the model to what is sent back.

Everything here goes through :func:`analytics.report.build_report` (cached per snapshot) and
the renderers the CLI uses; routes only pick a section or a file.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from analytics import AnalyticsError, config
from analytics.metrics.period import QUERY_PARAMETERS, Period, resolve_period
from analytics.report import ReportBatch, build_report
from analytics.serve.data import WarehouseReader
from analytics.warehouse.businesses import Business, list_businesses

log = logging.getLogger("analytics.serve")

#: The chart module reuses one matplotlib figure per chart in a process, and WeasyPrint is
#: not documented as thread-safe: the server renders one page or PDF at a time.
_RENDERING = threading.Lock()

#: Without days, start/end or a period: the last 30 days, as the seed's API did.
DEFAULT_DAYS = 30


@dataclass(frozen=True)
class PeriodQuery:
    """A request's period parameters, as given (checked by :meth:`Views.period`)."""

    days: int | None = None
    start: str | None = None
    end: str | None = None
    as_of: str | None = None
    period: str | None = None
    limit: int = config.CONTENT_LIMIT_DEFAULT
    #: for trends, the number of days a period may span (its points are its days)
    trend_range: tuple[int, int] | None = None


def local_today(timezone: str) -> date:
    """Today in the business's timezone: ``days=N`` counts whole days before it."""
    return datetime.now(ZoneInfo(timezone)).date()


class Views:
    """The report models and files the routes return."""

    def __init__(self, reader: WarehouseReader, *, brands_dir: Path | None,
                 templates: Path | None):
        self.reader = reader
        self.brands_dir = brands_dir
        self.templates = templates

    # --- models ----------------------------------------------------------------------------

    def businesses(self, ids: tuple[str, ...], cache_only: bool = False) -> list[Business]:
        """The granted businesses still in the warehouse, by id."""
        def build(cursor: Any) -> list[Business]:
            known = {b.business_id: b for b in list_businesses(cursor)}
            return [known[b] for b in sorted(ids) if b in known]

        return self.reader.cached(("businesses", ids), build, cache_only=cache_only)

    def business(self, business_id: str, cache_only: bool = False) -> Business:
        found = self.businesses((business_id,), cache_only)
        if not found:
            raise LookupError(business_id)
        return found[0]

    def period(self, business: Business, query: PeriodQuery) -> tuple[Period, date]:
        """The period and as-of day a query names (default: the last 30 whole local days)."""
        named = query.period or query.start or query.end or query.days is not None
        days = query.days if named else DEFAULT_DAYS
        as_of = query.as_of or local_today(business.timezone).isoformat()
        # messages name the query parameters (as_of), never the CLI's options (--as-of)
        the_period, as_of_date = resolve_period(query.period, query.start, query.end, days,
                                                as_of, names=QUERY_PARAMETERS)
        if query.trend_range and not (query.trend_range[0] <= the_period.days
                                      <= query.trend_range[1]):
            low, high = query.trend_range
            raise AnalyticsError(f"trends cover {low} to {high} days; "
                                 f"{the_period.label} has {the_period.days}")
        return the_period, as_of_date

    def report(self, business_id: str, query: PeriodQuery,
               cache_only: bool = False) -> dict[str, Any]:
        """``Report.to_dict()`` for the query, built once per warehouse snapshot
        (``cache_only``: raise NotCached instead of building)."""
        business = self.business(business_id, cache_only)
        the_period, as_of = self.period(business, query)
        key = ("report", business_id, the_period, as_of, query.limit)
        return self.reader.cached(key, lambda cursor: build_report(
            cursor, business_id, the_period, as_of, limit=query.limit).to_dict(),
            cache_only=cache_only)

    def warm(self) -> None:
        """Build every business's default view (the last 30 days, as of its today) in one
        batch over the current snapshot, so first requests are cache hits: one scan for all,
        instead of one per business (see :class:`analytics.report.ReportBatch`)."""
        started = time.perf_counter()
        count = 0
        from analytics.access import stored_tokens

        with self.reader.cursor() as (cursor, snapshot):
            self.reader.store(snapshot, ("tokens",), stored_tokens(cursor))
            by_today: dict[date, list[str]] = {}
            for business in list_businesses(cursor):
                self.reader.store(snapshot, ("businesses", (business.business_id,)), [business])
                by_today.setdefault(local_today(business.timezone), []).append(
                    business.business_id)
            for today, ids in by_today.items():
                the_period, as_of = resolve_period(days=DEFAULT_DAYS, as_of=today)
                limit = config.CONTENT_LIMIT_DEFAULT
                for business, built in ReportBatch(cursor, ids, the_period, as_of, limit=limit):
                    if isinstance(built, Exception):
                        continue  # built again on request, where its error is reported
                    key = ("report", business.business_id, the_period, as_of, limit)
                    if not self.reader.store(snapshot, key, built.to_dict()):
                        return  # a newer snapshot is in place; its own warming runs
                    count += 1
        log.info("warmed %d reports in %.1f s", count, time.perf_counter() - started)

    def section(self, business_id: str, query: PeriodQuery, key: str,
                cache_only: bool = False) -> Any:
        report = self.report(business_id, query, cache_only)
        if key == "trends":
            # the report draws at least 28 days; the endpoint answers the days asked for
            start = report["period"]["start"]
            return [point for point in report["trends"] if point["date"] >= start]
        return report[key]

    def posts(self, business_id: str, query: PeriodQuery) -> list[dict[str, Any]]:
        from analytics.report.posts import period_posts

        business = self.business(business_id)
        the_period, as_of = self.period(business, query)
        key = ("posts", business_id, the_period, as_of)
        return self.reader.cached(
            key, lambda cursor: period_posts(cursor, [business_id], the_period, as_of)
            [business_id])

    # --- files -----------------------------------------------------------------------------

    def html(self, business_id: str, query: PeriodQuery, target: str = "html") -> str:
        from analytics import render
        from analytics.render import charts

        report = self.report(business_id, query)
        brand = render.load_brand(business_id, self.brands_dir)
        fmt = "svg" if target == "html" else config.PDF_CHART_FORMAT
        with _RENDERING:
            drawn = charts.render_charts(report, [fmt], accent=brand.colour)
            html = render.render_html(report, charts=drawn, brand=brand,
                                      templates=self.templates, target=target)
            if target == "pdf":
                return render.render_pdf(html, self.templates,
                                         resources=render.pdf_resources(drawn))
        return html

    def pdf(self, business_id: str, query: PeriodQuery) -> bytes:
        return self.html(business_id, query, target="pdf")  # type: ignore[return-value]

    def export(self, business_id: str, query: PeriodQuery, fmt: str,
               table: str | None = None) -> bytes:
        from analytics.render import exports

        built = exports.tables(self.report(business_id, query), self.posts(business_id, query))
        if fmt == "xlsx":
            return exports.xlsx_bytes(built)
        for candidate in built:
            if candidate.name == table:
                return exports.csv_bytes(candidate)
        raise LookupError(table)


def picker_periods(today: date, weeks: int = 8, months: int = 6) -> list[tuple[str, str]]:
    """The portal's period picker: ``(value, label)`` for the last 7/30/90 days, the previous
    ``weeks`` ISO weeks and the previous ``months`` calendar months (latest first)."""
    choices = [(f"{n}d", f"Last {n} days") for n in (7, 30, 90)]
    monday = today - timedelta(days=today.isoweekday() - 1)
    for n in range(1, weeks + 1):
        year, week, _ = (monday - timedelta(weeks=n)).isocalendar()
        start = date.fromisocalendar(year, week, 1)
        choices.append((f"{year}-W{week:02d}",
                        f"Week {week}, {start:%d %b} – {start + timedelta(days=6):%d %b %Y}"))
    year, month = today.year, today.month
    for _ in range(months):
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
        choices.append((f"{year}-{month:02d}", f"{date(year, month, 1):%B %Y}"))
    return choices


def period_query(choice: str | None, as_of: str | None = None) -> PeriodQuery:
    """A picker value (``30d``, ``2026-W47``, ``2026-11``) as a query."""
    choice = (choice or f"{DEFAULT_DAYS}d").strip()
    if choice.endswith("d") and choice[:-1].isdigit():
        days = int(choice[:-1])
        if not 1 <= days <= 365:
            raise AnalyticsError(f"period {choice!r}: days must be from 1 to 365")
        return PeriodQuery(days=days, as_of=as_of)
    return PeriodQuery(period=choice, as_of=as_of)
