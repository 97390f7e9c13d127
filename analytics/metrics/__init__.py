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
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

import duckdb

from analytics import AnalyticsError, config

# The submodule named like the function insights() below is imported first: importing a
# submodule sets the package's attribute, so a later first import would shadow the function.
from analytics.metrics import history as history_module
from analytics.metrics import insights as _insights_module  # noqa: F401
from analytics.metrics import intel
from analytics.metrics.benchmarks import BenchmarkRow, benchmark
from analytics.metrics.hashtags import HashtagRow
from analytics.metrics.history import Audience, PeriodMetrics
from analytics.metrics.period import Period, as_period, local_today, parse_date
from analytics.metrics.results import ContentRow, Insights, Overview, PlatformRow, TrendPoint
from analytics.metrics.sentiment import SentimentDoc, summarise
from analytics.metrics.snapshot import Scope, Snapshot
from analytics.warehouse.businesses import Business, competitors_of, list_businesses

if TYPE_CHECKING:  # pandas and the insights' statistics (SciPy) are imported where used: a
    # command that needs neither (`analytics history`) starts in a fraction of the time
    import pandas as pd


def _as_of(as_of: date | str | None, business: Business) -> date:
    """The as-of date given, else the business's own local today (never the server's date:
    at 07:00 UTC on a Monday it is still Sunday in Los Angeles)."""
    if as_of is None:
        return local_today(business.timezone, datetime.now(UTC))
    return parse_date(as_of, "as_of")


# --- the public, one-business API -------------------------------------------------------------


def _snapshot(
    con: duckdb.DuckDBPyConnection,
    business_id: str,
    period: Period | str,
    as_of: date | str | None,
    trend_days: int | None = None,
) -> tuple[Business, Snapshot]:
    (business,) = list_businesses(con, [business_id])
    scope = Scope.build([business_id], as_period(period), _as_of(as_of, business), trend_days)
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
    import pandas as pd

    _, snap = _snapshot(con, business_id, period, as_of)
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
    import pandas as pd

    _, snap = _snapshot(con, business_id, period, as_of)
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
    (business,) = list_businesses(con, [business_id])
    as_of_date = _as_of(as_of, business)
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
    return intel.for_snapshot(snap, business.business_id)[0]


def hashtags(
    con: duckdb.DuckDBPyConnection,
    business_id: str,
    period: Period | str,
    as_of: date | str | None = None,
) -> list[HashtagRow]:
    """One row per hashtag used in the insights' lookback: posts, views and engagement at the
    fixed age, engagement rate, median engagement relative to the typical post, and its test."""
    business, snap = _snapshot(con, business_id, period, as_of)
    return intel.for_snapshot(snap, business.business_id)[1].hashtags


def benchmarks(
    con: duckdb.DuckDBPyConnection,
    business_id: str,
    period: Period | str,
    as_of: date | str | None = None,
) -> list[BenchmarkRow]:
    """The client against each of its competitors over the trend window: posts per week,
    engagement rate overall and by platform, format mix, median views, and the client's rank
    (empty when the business has no competitors)."""
    (business,) = list_businesses(con, [business_id], clients_only=True)
    rivals = competitors_of(con, [business_id]).get(business_id, [])
    scope = Scope.build([business_id, *(c.business_id for c in rivals)], as_period(period),
                        _as_of(as_of, business))
    snap = Snapshot(con, scope)
    return benchmark(business, rivals, snap.benchmark_mix, scope.trend_start, scope.trend_end)


def sentiment(
    con: duckdb.DuckDBPyConnection,
    business_id: str,
    period: Period | str,
    as_of: date | str | None = None,
) -> SentimentDoc | None:
    """The period's comments: how many, the share positive and negative among those the
    lexicon could score, unscored ones by language, the most discussed posts and the most
    active commenters (None when there are no comments)."""
    _, snap = _snapshot(con, business_id, period, as_of)
    return summarise(snap.comments.get(business_id, []))


HISTORY_COLUMNS = PeriodMetrics.columns()


def history_table(
    con: duckdb.DuckDBPyConnection,
    business_id: str,
    period: Period | str,
    as_of: date | str | None = None,
    periods: int = config.HISTORY_PERIODS,
) -> pd.DataFrame:
    """The business's totals for the ``periods`` periods of ``period``'s kind (ISO weeks,
    months, quarters, or equal ranges) ending with ``period``, oldest first: one row per
    platform and one for all platforms (``platform == "all"``), with followers at each
    period's start and end. Each 'all' row equals that period's own report overview."""
    _check_range("periods", periods, (1, 120))
    (business,) = list_businesses(con, [business_id])
    scope = Scope.build([business_id], as_period(period), _as_of(as_of, business),
                        history=periods)
    rows = history_module.compute(con, Snapshot(con, scope)).rows(business_id)
    import pandas as pd

    return pd.DataFrame([r.to_dict() for r in rows], columns=HISTORY_COLUMNS)


def audience(
    con: duckdb.DuckDBPyConnection,
    business_id: str,
    period: Period | str,
    as_of: date | str | None = None,
) -> Audience:
    """Followers at the start and end of the period, net new followers and growth, per
    platform and in total, and account-level views and reach from the daily account files
    (unknown values are None, never 0)."""
    _, snap = _snapshot(con, business_id, period, as_of)
    return history_module.compute(con, snap).businesses[business_id].audience


@dataclass(frozen=True)
class Metric:
    """One entry of the registry the report, the notebooks, the CLI and the tests loop over."""

    name: str
    function: Callable[..., Any]
    queries: tuple[str, ...]
    report_key: str


#: Every metric, with the query files it reads (post_facts feeds them all).
METRICS: tuple[Metric, ...] = (
    Metric("overview", overview, ("post_facts", "period_totals", "platform_breakdown",
                                  "usual_blocks"), "overview"),
    Metric("content_performance", content_performance, ("post_facts", "top_content"), "content"),
    Metric("platform_comparison", platform_comparison, ("post_facts", "platform_breakdown"),
           "platforms"),
    Metric("engagement_trends", engagement_trends, ("post_facts", "daily_trends"), "trends"),
    Metric("insights", insights, ("post_facts", "insight_posts", "content_types", "post_tags",
                                  "experiment_members"), "insights"),
    Metric("history", history_table, ("post_facts", "history_periods"), "history"),
    Metric("audience", audience, ("post_facts", "history_periods"), "audience"),
    Metric("hashtags", hashtags, ("post_facts", "insight_posts", "post_tags"), "hashtags"),
    Metric("sentiment", sentiment, ("sentiment_comments",), "sentiment"),
    Metric("benchmarks", benchmarks, ("post_facts", "benchmark_mix", "competitors_of"),
           "benchmarks"),
)
#: Queries used outside the metrics (listing businesses; the rate macros every metric uses;
#: the stored history).
SUPPORT_QUERIES = ("businesses", "metric_macros", *history_module.STORE_QUERIES)
