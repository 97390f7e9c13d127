"""Businesses: their ids (slugs that name folders, so nothing else) and how to look them up."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import duckdb

from analytics import AnalyticsError, config
from analytics.warehouse import sql

BUSINESS_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


def validate_business_id(value: str) -> str:
    """A business id is a slug ``[a-z0-9][a-z0-9_-]*`` (it names folders, so nothing else)."""
    if not isinstance(value, str) or not BUSINESS_ID.fullmatch(value) or len(value) > 100:
        raise AnalyticsError(
            f"{value!r} is not a valid business id: use lower-case letters, digits, '-' and '_', "
            "starting with a letter or digit"
        )
    return value


@dataclass(frozen=True)
class Business:
    business_id: str
    name: str
    timezone: str
    recipients: tuple[str, ...] = ()
    #: its first and last post in the warehouse (None without posts)
    first_post: datetime | None = None
    last_post: datetime | None = None
    #: how often the business gets its report: "weekly" (ISO weeks) or "monthly"
    cadence: str = "weekly"
    #: the client this business is a competitor of (None: a client); a competitor gets no
    #: report and no email of its own, only a place in its client's benchmarks
    competitor_of: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"business_id": self.business_id, "name": self.name, "timezone": self.timezone}


def list_businesses(
    con: duckdb.DuckDBPyConnection,
    business_ids: Iterable[str] | None = None,
    *,
    clients_only: bool = False,
) -> list[Business]:
    """The businesses asked for (all the clients when ``business_ids`` is None: competitors are
    never part of "all"), sorted by id.

    An id that is not in the warehouse is an error naming it; so is a competitor named when
    ``clients_only`` (reports and email are for clients).
    """
    wanted = None if business_ids is None else [validate_business_id(b) for b in business_ids]
    rows = sql.records(con, "businesses", business_ids=wanted)
    found = [
        Business(r["business_id"], r["name"], r["timezone"], tuple(r["recipients"] or ()),
                 r["first_post"], r["last_post"], r["cadence"], r["competitor_of"])
        for r in rows
        if wanted is not None or r["competitor_of"] is None
    ]
    if wanted is not None and clients_only:
        rivals = [b for b in found if b.competitor_of is not None]
        if rivals:
            named = "; ".join(f"{b.business_id!r} is a competitor of {b.competitor_of!r}"
                              for b in rivals)
            raise AnalyticsError(
                named + ": a competitor gets no report or email of its own (its figures "
                "appear in its client's benchmarks)")
    if wanted is not None:
        missing = sorted(set(wanted) - {b.business_id for b in found})
        if missing:
            known = ", ".join(b.business_id for b in list_businesses(con)[:8]) or "none yet"
            raise AnalyticsError(
                f"unknown business {', '.join(map(repr, missing))} (known: {known}); "
                "`analytics businesses` lists them all"
            )
    return found


def competitors_of(
    con: duckdb.DuckDBPyConnection, client_ids: Iterable[str]
) -> dict[str, list[Business]]:
    """Each client's competitors (clients without any are left out), in id order."""
    found: dict[str, list[Business]] = {}
    for r in sql.records(con, "competitors_of", client_ids=list(client_ids)):
        found.setdefault(r["competitor_of"], []).append(
            Business(r["business_id"], r["name"], r["timezone"],
                     competitor_of=r["competitor_of"]))
    return found


# --- shards: a few hundred businesses at a time, the same on every machine -----------------


def shard_count(businesses: int, size: int = config.SHARD_BUSINESSES) -> int:
    """How many shards ``businesses`` businesses take, ``size`` (about) to a shard."""
    return max(1, -(-businesses // max(1, size)))


def shard_of(business_id: str, shards: int) -> int:
    """The shard of a business: a stable hash of its id (the same on every machine and every
    Python, unlike ``hash()``), so a business stays in its shard from run to run."""
    digest = hashlib.blake2b(business_id.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") % shards


def split_shards(business_ids: Sequence[str], shards: int) -> list[list[str]]:
    """``business_ids`` grouped by shard (index = shard number), ids sorted in each."""
    groups: list[list[str]] = [[] for _ in range(shards)]
    for business_id in sorted(business_ids):
        groups[shard_of(business_id, shards)].append(business_id)
    return groups
