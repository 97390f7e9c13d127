"""The metrics library: one function per question of the seed's API.

Every answer is computed from a :class:`~analytics.metrics.snapshot.Snapshot` built for a set of
businesses, a period and an as-of date. A call here builds a snapshot of one business;
:func:`analytics.report.build_reports` builds one snapshot for all businesses, so a batch of a
thousand reports costs one scan of the warehouse, not a thousand.

The public functions (``overview``, ``content_performance``, ``platform_comparison``,
``engagement_trends``, ``insights``) take an open warehouse connection and return plain data:
frozen dataclasses and pandas DataFrames, never HTML.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import duckdb

if TYPE_CHECKING:  # pandas is imported where a DataFrame is made: a report batch never
    import pandas as pd  # needs it, and it is 100 MiB of the main process

from analytics import AnalyticsError, config
from analytics.metrics.insights import for_snapshot
from analytics.metrics.period import Period, as_period, parse_date
from analytics.metrics.results import ContentRow, Insights, Overview, PlatformRow, TrendPoint
from analytics.metrics.snapshot import Scope, Snapshot
from analytics.warehouse.businesses import Business, list_businesses


def _as_of(as_of: date | str | None) -> date:
    return date.today() if as_of is None else parse_date(as_of, "as_of")


# --- the public, one-business API -------------------------------------------------------------


def _snapshot(
    con: duckdb.DuckDBPyConnection,
    business_id: str,
    period: Period | str,
    as_of: date | str | None,
    trend_days: int | None = None,
) -> tuple[Business, Snapshot]:
    (business,) = list_businesses(con, [business_id])
    scope = Scope.build([business_id], as_period(period), _as_of(as_of), trend_days)
    return business, Snapshot(con, scope)


def _check_range(name: str, value: int, bounds: tuple[int, int]) -> int:
    low, high = bounds
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise AnalyticsError(f"{name} must be a whole number from {low} to {high}, not {value!r}")
    return value


def overview(
    con: duckdb.DuckDBPyConnection,
    business_id: str,
    period: Period | str,
    as_of: date | str | None = None,
) -> Overview:
    """Totals of the period, growth against the previous equal period, top platform and the
    platform breakdown.

    Examples
    --------
    >>> overview(con, "northwind-coffee", "2026-W47", as_of="2026-11-23").to_dict()["total_posts"]
    """
    _, snap = _snapshot(con, business_id, period, as_of)
    return snap.overview(business_id)


CONTENT_COLUMNS = ContentRow.columns()


def content_performance(
    con: duckdb.DuckDBPyConnection,
    business_id: str,
    period: Period | str,
    limit: int = config.CONTENT_LIMIT_DEFAULT,
    as_of: date | str | None = None,
    min_views: int = config.MIN_VIEWS_FOR_RANKING,
) -> pd.DataFrame:
    """The period's top posts by engagement rate (``limit`` 1–100), among posts with at least
    ``min_views`` views; ties go to more engagement, then more views, then the earlier post."""
    _check_range("limit", limit, config.CONTENT_LIMIT_RANGE)
    _check_range("min_views", min_views, (0, 10**12))
    _, snap = _snapshot(con, business_id, period, as_of)
    import pandas as pd

    return pd.DataFrame(snap.content_rows(business_id, limit, min_views), columns=CONTENT_COLUMNS)


PLATFORM_COLUMNS = PlatformRow.columns()


def platform_comparison(
    con: duckdb.DuckDBPyConnection,
    business_id: str,
    period: Period | str,
    as_of: date | str | None = None,
) -> pd.DataFrame:
    """One row per platform with posts in the period, most engagement first. ``reach`` is empty
    for platforms that do not report it (it is never replaced by views)."""
    _, snap = _snapshot(con, business_id, period, as_of)
    import pandas as pd

    return pd.DataFrame(snap.platform_rows(business_id), columns=PLATFORM_COLUMNS)


TREND_COLUMNS = TrendPoint.columns()


def engagement_trends(
    con: duckdb.DuckDBPyConnection,
    business_id: str,
    days: int = 30,
    end: date | str | None = None,
    as_of: date | str | None = None,
) -> pd.DataFrame:
    """One row per local day for the ``days`` days (7–90) ending on ``end`` (default: the
    as-of date), zero-filled: the posts published that day and their counters."""
    _check_range("days", days, config.TREND_DAYS_RANGE)
    as_of_date = _as_of(as_of)
    end_date = as_of_date if end is None else parse_date(end, "end")
    period = Period.from_dates(end_date - timedelta(days=days - 1), end_date)
    _, snap = _snapshot(con, business_id, period, as_of_date, trend_days=days)
    import pandas as pd

    frame = pd.DataFrame(snap.trend_rows(business_id), columns=TREND_COLUMNS)
    frame["date"] = pd.to_datetime(frame["date"])
    return frame


def insights(
    con: duckdb.DuckDBPyConnection,
    business_id: str,
    period: Period | str,
    as_of: date | str | None = None,
) -> Insights:
    """Best posting times (weekday × 3-hour windows with post counts), top content types,
    format comparisons, platform trends, and recommendations that each carry their evidence."""
    business, snap = _snapshot(con, business_id, period, as_of)
    return for_snapshot(snap, business.business_id)


@dataclass(frozen=True)
class Metric:
    """One entry of the registry the report, the notebooks, the CLI and the tests loop over."""

    name: str
    function: Callable[..., Any]
    queries: tuple[str, ...]
    report_key: str


#: Every metric, with the query files it reads (post_facts feeds them all).
METRICS: tuple[Metric, ...] = (
    Metric("overview", overview, ("post_facts", "period_totals", "platform_breakdown"),
           "overview"),
    Metric("content_performance", content_performance, ("post_facts", "top_content"), "content"),
    Metric("platform_comparison", platform_comparison, ("post_facts", "platform_breakdown"),
           "platforms"),
    Metric("engagement_trends", engagement_trends, ("post_facts", "daily_trends"), "trends"),
    Metric("insights", insights, ("post_facts", "insight_posts", "content_types"), "insights"),
)
#: Queries used outside the metrics (listing businesses; the rate macros every metric uses).
SUPPORT_QUERIES = ("businesses", "metric_macros")
