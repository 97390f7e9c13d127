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

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime
from typing import Any

import duckdb
import pyarrow as pa

from analytics import config
from analytics.metrics.period import Period
from analytics.metrics.results import growth
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

    @property
    def has_followers(self) -> bool:
        return any(r.followers_end is not None for r in self.platforms.values())


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

    def point(self) -> HistoryPoint:
        return HistoryPoint(self.period_start.isoformat(), self.period_end.isoformat(),
                            self.label, self.posts, self.views, self.reach, self.engagement,
                            self.engagement_rate, self.ctr, self.complete)


@dataclass(frozen=True)
class BusinessHistory:
    """What one snapshot computed for one business: every row of its history's periods and
    the audience of the report's own period."""

    rows: list[PeriodMetrics]
    audience: Audience

    def points(self) -> list[HistoryPoint]:
        """``report.json`` ``history``: the all-platform rows, oldest first."""
        return [r.point() for r in self.rows if r.platform == ALL]


# --- computing ------------------------------------------------------------------------------


def _params(scope: Scope) -> dict[str, Any]:
    periods = scope.history or (scope.period,)
    return {
        "business_ids": list(scope.business_ids),
        "period_starts": [p.start for p in periods],
        "period_ends": [p.end for p in periods],
        "first_day": periods[0].start,
        "as_of": scope.as_of,
        "max_gap": config.FOLLOWER_MAX_GAP_DAYS,
        "views_metrics": list(config.ACCOUNT_VIEWS_METRICS),
        "reach_metrics": list(config.ACCOUNT_REACH_METRICS),
    }


def _keyed(rows: Iterable[dict[str, Any]]) -> dict[tuple[str, date, str], dict[str, Any]]:
    return {(r["business_id"], r["period_start"], r["platform"]): r for r in rows}


def _audience_row(opening: dict[str, Any] | None, closing: dict[str, Any] | None,
                  account: dict[str, Any] | None) -> AudienceRow:
    start = opening["n"] if opening else None
    end = closing["n"] if closing else None
    return AudienceRow(
        followers_start=start,
        followers_end=end,
        net_followers=None if start is None or end is None else end - start,
        growth_rate=growth(end, start),
        source=os.path.basename(closing["source"]) if closing and closing["source"] else None,
        start_day=opening["day"].isoformat() if opening else None,
        end_day=closing["day"].isoformat() if closing else None,
        account_views=account["views"] if account else None,
        account_reach=account["reach"] if account else None,
        account_days=account["views_days"] if account else 0,
    )


def _total(platforms: dict[str, AudienceRow]) -> AudienceRow | None:
    """The platforms known at both ends, added up; account views of every platform that has
    them. None when there is nothing at all to add."""
    known = {p: r for p, r in platforms.items() if r.net_followers is not None}
    viewed = [r for r in platforms.values() if r.account_views is not None]
    reached = [r for r in platforms.values() if r.account_reach is not None]
    if not known and not viewed and not reached:
        return None
    start = sum(r.followers_start for r in known.values()) if known else None
    end = sum(r.followers_end for r in known.values()) if known else None
    return AudienceRow(
        followers_start=start,
        followers_end=end,
        net_followers=None if start is None or end is None else end - start,
        growth_rate=growth(end, start),
        source=" + ".join(sorted(known)) or None,
        start_day=min((r.start_day for r in known.values()), default=None),
        end_day=max((r.end_day for r in known.values()), default=None),
        account_views=sum(r.account_views for r in viewed) if viewed else None,
        account_reach=sum(r.account_reach for r in reached) if reached else None,
        account_days=max((r.account_days for r in viewed), default=0),
    )


def compute(con: duckdb.DuckDBPyConnection, snapshot: Snapshot) -> dict[str, BusinessHistory]:
    """Every business of the snapshot: its rows for the scope's history periods (or the
    report's period alone, when the scope has no history) and its audience."""
    scope = snapshot.scope
    periods = scope.history or (scope.period,)
    params = _params(scope)
    totals = _keyed(sql.records(con, "history_totals", relations={"post_facts": snapshot.table},
                                **params))
    followers = _keyed(sql.records(con, "history_followers", **params))
    account = _keyed(sql.records(con, "history_account", **params))
    result = {}
    for business_id in scope.business_ids:
        rows: list[PeriodMetrics] = []
        audience = Audience({}, None)
        for period in periods:
            key = (business_id, period.start)
            # the audience lists the platforms with follower or account data (a follower
            # file for a platform never posted on included); the rows, those with posts too
            audience_names = sorted({k[2] for k in (*followers, *account) if k[:2] == key})
            platforms = {name: _audience_row(
                (followers.get((*key, name)) or {}).get("opening"),
                (followers.get((*key, name)) or {}).get("closing"),
                account.get((*key, name))) for name in audience_names}
            total = _total(platforms)
            complete = period.is_complete(scope.as_of)
            posted = sorted({k[2] for k in totals if k[:2] == key and k[2] != ALL})
            for name in [ALL, *sorted(set(posted) | set(audience_names))]:
                aud = total if name == ALL else platforms.get(name)
                rows.append(_row(business_id, period, name, scope.as_of, complete,
                                 totals.get((*key, name)), aud))
            audience = Audience(platforms, total)  # the last period is the report's
        result[business_id] = BusinessHistory(rows, audience)
    return result


def _row(business_id: str, period: Period, platform: str, as_of: date, complete: bool,
         t: dict[str, Any] | None, audience: AudienceRow | None) -> PeriodMetrics:
    # a period without posts: the overview's zeros (views, engagement and clicks 0; reach and
    # rates unknown), so the row still equals that period's report
    t = t or {"posts": 0, "views": 0, "reach": None, "reach_posts": 0, "engagement": 0,
              "clicks": 0, "engagement_rate": None, "ctr": None}
    return PeriodMetrics(
        business_id=business_id, period_kind=period.kind, period_start=period.start,
        period_end=period.end, label=period.label, platform=platform, as_of=as_of,
        complete=complete, posts=t["posts"], views=t["views"], reach=t["reach"],
        reach_posts=t["reach_posts"], engagement=t["engagement"], clicks=t["clicks"],
        engagement_rate=t["engagement_rate"], ctr=t["ctr"],
        followers_start=audience.followers_start if audience else None,
        followers_end=audience.followers_end if audience else None,
        net_followers=audience.net_followers if audience else None,
    )


# --- the stored history ---------------------------------------------------------------------

_ARROW = pa.schema([
    ("business_id", pa.string()), ("period_kind", pa.string()), ("period_start", pa.date32()),
    ("period_end", pa.date32()), ("label", pa.string()), ("platform", pa.string()),
    ("as_of", pa.date32()), ("complete", pa.bool_()), ("posts", pa.int64()),
    ("views", pa.int64()), ("reach", pa.int64()), ("reach_posts", pa.int64()),
    ("engagement", pa.int64()), ("clicks", pa.int64()), ("engagement_rate", pa.float64()),
    ("ctr", pa.float64()), ("followers_start", pa.int64()), ("followers_end", pa.int64()),
    ("net_followers", pa.int64()),
])
assert _ARROW.names == list(PeriodMetrics.columns())


def store(con: duckdb.DuckDBPyConnection, rows: Sequence[PeriodMetrics],
          computed_at: datetime | None = None) -> int:
    """Upsert ``rows`` into ``business_metrics`` (one transaction; a period's row is
    replaced, never duplicated). Returns the number of rows written."""
    if not rows:
        return 0
    names = [f.name for f in fields(PeriodMetrics)]
    table = pa.Table.from_pylist([{n: getattr(r, n) for n in names} for r in rows],
                                 schema=_ARROW)
    con.register("_history_rows", table)
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
    return len(rows)


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
    computed = compute(con, snapshot)[business_id].rows
    if write:
        store(con, computed)
    return HistoryAnswer(computed, True)
