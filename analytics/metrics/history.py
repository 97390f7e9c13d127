"""History and audience: a business's totals period by period, and its followers.

The seed's ``BusinessMetrics``: for each of the last periods of a report's kind (ISO weeks,
months, quarters, or equal ranges) the same totals the overview shows — computed from the
report's own snapshot, so a period's row equals that period's own ``report.json`` overview as
of the same day — per platform and for all platforms, with the followers at the period's start
and end. ``report.json`` gets ``history`` (the all-platform rows) and ``audience`` (the report
period's followers and account-level views); the warehouse table ``business_metrics`` keeps
every computed row (:func:`store`), and ``analytics history`` reads it back (:func:`history_of`),
recomputing what is missing or stale.

Followers (documented in the README): a period opens with the latest reading on one of the
``config.FOLLOWER_MAX_GAP_DAYS`` days before its first day and closes with the latest reading
within it (on or before the as-of day). A longer gap, or no reading inside the period, leaves
the value unknown (null), never 0; counts that fall (unfollows) give a negative net.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from analytics import config
from analytics.metrics.period import Period
from analytics.metrics.snapshot import Scope, Snapshot
from analytics.records import Record
from analytics.warehouse import sql

ALL = "all"
#: The queries of the stored history (writing, reading back, deciding what is stale).
STORE_QUERIES = ("history_upsert", "history_rows", "history_last_change")


@dataclass(frozen=True)
class HistoryPoint(Record):
    """One period of ``report.json`` ``history``: all platforms, as of the report's as-of day."""

    LABELS = {"label": "Period", "posts": "Posts", "views": "Views", "reach": "Reach",
              "engagement": "Engagement", "engagement_rate": "ER", "ctr": "CTR"}

    start: str
    end: str
    label: str
    posts: int
    views: int | None
    reach: int | None
    engagement: int | None
    engagement_rate: float | None
    ctr: float | None
    complete: bool


@dataclass(frozen=True)
class AudienceRow(Record):
    """Followers of one platform (or of all together) over the report's period, and the
    account-level views and reach the platform's daily account file gives for it."""

    followers_start: int | None
    followers_end: int | None
    net_followers: int | None
    #: net / followers at the start × 100; null when the start is unknown or 0
    growth_rate: float | None
    #: the file the closing reading came from ("demo" for the demo); for the total, the
    #: platforms it adds up
    source: str | None
    #: the days of the opening and closing readings
    start_day: str | None
    end_day: str | None
    account_views: int | None
    account_reach: int | None
    #: days of the period the account file reports views for
    account_days: int


@dataclass(frozen=True)
class Audience(Record):
    """``report.json`` ``audience``: per platform, and the total of the platforms whose
    followers are known at both ends of the period (null when none is)."""

    platforms: dict[str, AudienceRow]
    total: AudienceRow | None


@dataclass(frozen=True)
class PeriodMetrics(Record):
    """One row of the warehouse's ``business_metrics`` (and of ``analytics history``)."""

    business_id: str
    period_kind: str
    period_start: date
    period_end: date
    label: str
    platform: str
    as_of: date
    complete: bool
    posts: int
    views: int | None
    reach: int | None
    reach_posts: int
    engagement: int | None
    clicks: int | None
    engagement_rate: float | None
    ctr: float | None
    followers_start: int | None
    followers_end: int | None
    net_followers: int | None


@dataclass(frozen=True)
class BusinessHistory:
    """What one snapshot computed for one business's report: ``history`` (the all-platform
    rows, oldest first) and the audience of the report's own period."""

    points: list[HistoryPoint]
    audience: Audience


# --- computing ------------------------------------------------------------------------------


def _params(scope: Scope) -> dict[str, Any]:
    periods = scope.history or (scope.period,)
    return {
        "business_ids": list(scope.business_ids),
        "period_starts": [p.start for p in periods],
        "period_ends": [p.end for p in periods],
        "period_labels": [p.label for p in periods],
        # "complete" has one home, Period.is_complete: the query is told, not left to decide
        "period_complete": [p.is_complete(scope.as_of) for p in periods],
        "period_kind": scope.period.kind,
        "first_day": periods[0].start,
        "audience_start": scope.period.start,
        "as_of": scope.as_of,
        "max_gap": config.FOLLOWER_MAX_GAP_DAYS,
        "views_metrics": list(config.ACCOUNT_VIEWS_METRICS),
        "reach_metrics": list(config.ACCOUNT_REACH_METRICS),
    }


_AUDIENCE = AudienceRow.columns()
#: The columns of history_periods.sql that make a HistoryPoint, in its field order.
_POINT_SOURCES = ["business_id", "period_start", "period_end", "label", "posts", "views",
                  "reach", "engagement", "engagement_rate", "ctr", "complete"]


def _audience_row(row: dict[str, Any]) -> AudienceRow:
    values = {name: row[name] for name in _AUDIENCE}
    for name in ("start_day", "end_day"):
        values[name] = None if row[name] is None else row[name].isoformat()
    return AudienceRow(**values)


@dataclass(frozen=True)
class Computed:
    """What :func:`compute` found for a snapshot: every row (an Arrow table in
    ``business_metrics``' columns, for :func:`store`) and each business's report sections."""

    table: pa.Table
    businesses: dict[str, BusinessHistory]

    def rows(self, business_id: str) -> list[PeriodMetrics]:
        """One business's rows as records (for ``analytics history``, the notebooks)."""
        mine = self.table.filter(pc.equal(self.table["business_id"], business_id))
        return [PeriodMetrics(**row) for row in mine.to_pylist()]


def compute(con: duckdb.DuckDBPyConnection, snapshot: Snapshot) -> Computed:
    """Every business of the snapshot: its rows for the scope's history periods (or the
    report's period alone, when the scope has no history) and its audience. One query; only
    the rows a report shows become Python objects (a thousand businesses have 84,000 rows)."""
    scope = snapshot.scope
    cursor = sql.execute(con, "history_periods", relations={"post_facts": snapshot.table},
                         **_params(scope))
    with warnings.catch_warnings():  # "an extra copy": of a few MB, and parameters need it
        warnings.simplefilter("ignore", UserWarning)
        table = cursor.to_arrow_table()
    is_all = pc.equal(table["platform"], ALL)
    points: dict[str, list[HistoryPoint]] = {b: [] for b in scope.business_ids}
    columns = table.filter(is_all).select(_POINT_SOURCES).to_pydict()
    for business_id, start, end, *values in zip(*columns.values(), strict=True):
        points[business_id].append(HistoryPoint(start.isoformat(), end.isoformat(), *values))
    last = pc.equal(table["period_start"], pa.scalar(scope.period.start, pa.date32()))
    audiences: dict[str, tuple[dict[str, AudienceRow], AudienceRow | None]] = {}
    for row in table.filter(pc.and_(last, table["in_audience"])).to_pylist():
        platforms, _ = audiences.setdefault(row["business_id"], ({}, None))
        if row["platform"] == ALL:
            audiences[row["business_id"]] = (platforms, _audience_row(row))
        else:
            platforms[row["platform"]] = _audience_row(row)
    businesses = {
        b: BusinessHistory(points[b], Audience(*audiences.get(b, ({}, None))))
        for b in scope.business_ids
    }
    return Computed(table.select(list(PeriodMetrics.columns())), businesses)


# --- the stored history ---------------------------------------------------------------------


def store(con: duckdb.DuckDBPyConnection, tables: Sequence[pa.Table] | pa.Table,
          computed_at: datetime | None = None) -> int:
    """Upsert computed rows (:attr:`Computed.table`, or several) into ``business_metrics``,
    in one transaction: a period's row is replaced, never duplicated. Returns the rows
    written."""
    tables = [tables] if isinstance(tables, pa.Table) else list(tables)
    if not tables or not sum(t.num_rows for t in tables):
        return 0
    rows = pa.concat_tables(tables)
    con.register("_history_rows", rows)
    try:
        con.execute("BEGIN TRANSACTION")
        try:
            sql.execute(con, "history_upsert", computed_at=computed_at or datetime.now(UTC))
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    finally:
        con.unregister("_history_rows")
    return rows.num_rows


def _stored(con: duckdb.DuckDBPyConnection, business_id: str,
            periods: Sequence[Period]) -> list[dict[str, Any]]:
    return sql.records(con, "history_rows", business_id=business_id,
                       period_starts=[p.start for p in periods],
                       period_ends=[p.end for p in periods])


def _is_fresh(rows: list[dict[str, Any]], periods: Sequence[Period], as_of: date,
              last_change: dict[str, Any]) -> bool:
    """Stored rows can be shown as they are when every period has its 'all' row, computed
    after the last ingest, for a period that was complete, as of a day no observation in the
    warehouse is later than (or the asked-for day itself)."""
    by_period = {(r["period_start"], r["period_end"]): r for r in rows if r["platform"] == ALL}
    for period in periods:
        row = by_period.get((period.start, period.end))
        if row is None or not row["complete"]:
            return False
        if last_change["ingested_at"] and row["computed_at"] < last_change["ingested_at"]:
            return False
        observed = last_change["observed_on"]
        if row["as_of"] < as_of and observed is not None and observed >= row["as_of"]:
            return False
    return True


@dataclass(frozen=True)
class HistoryAnswer:
    rows: list[PeriodMetrics]
    recomputed: bool


def history_of(con: duckdb.DuckDBPyConnection, business_id: str, last: Period, count: int,
               as_of: date, *, write: bool = True) -> HistoryAnswer:
    """The stored history of ``business_id``: ``count`` periods of ``last``'s kind ending
    with ``last``, every platform and all. Missing or stale periods are recomputed (one
    snapshot for all of them) and, when ``write``, stored."""
    periods = last.series(count)
    last_change = sql.records(con, "history_last_change", business_id=business_id)[0]
    rows = _stored(con, business_id, periods)
    if _is_fresh(rows, periods, as_of, last_change):
        names = PeriodMetrics.columns()
        return HistoryAnswer([PeriodMetrics(**{n: r[n] for n in names}) for r in rows], False)
    snapshot = Snapshot(con, Scope.build([business_id], last, as_of, history=count))
    computed = compute(con, snapshot)
    if write:
        store(con, computed.table)
    return HistoryAnswer(computed.rows(business_id), True)
