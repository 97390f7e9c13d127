"""Who may read which business: bearer tokens for the API and the client portal.

A token reads ``<token_id>.<secret>``: the id (8 hex digits, not secret) finds the record, the
secret is 32 random bytes. The warehouse keeps only the SHA-256 of the whole token, compared
with :func:`hmac.compare_digest`, so neither a copy of the warehouse nor the timing of a
refusal gives a token away. A token is printed once, when granted, and never again.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import duckdb

from analytics import AnalyticsError
from analytics.warehouse import sql
from analytics.warehouse.businesses import list_businesses

#: Every query this module runs (the registry test checks none is orphaned).
ACCESS_QUERIES = ("access_insert", "access_list", "access_revoke",
                  "access_stored")

_TOKEN = re.compile(r"^([0-9a-f]{8})\.([A-Za-z0-9_-]{43})$")
_DURATION = re.compile(r"^(\d{1,5})([dhw])$")


@dataclass(frozen=True)
class Grant:
    """A token's record (never the token itself, never its hash)."""

    token_id: str
    name: str
    businesses: tuple[str, ...]
    created_at: datetime | None = None
    expires_at: datetime | None = None
    revoked_at: datetime | None = None

    def state(self, now: datetime) -> str:
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= now:
            return "expired"
        return "active"

    def allows(self, business_id: str) -> bool:
        return business_id in self.businesses


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def portal_link(base: str, token: str, business_id: str | None = None,
                period: str | None = None) -> str:
    """The sign-in link of the portal at ``base``, opening one business (and period) when
    given."""
    query = {"token": token} | ({"business": business_id} if business_id else {}) | (
        {"period": period} if period else {})
    return f"{base.rstrip('/')}/portal?{urlencode(query)}"


def parse_duration(text: str) -> timedelta:
    """``90d``, ``12h`` or ``2w``."""
    match = _DURATION.match(text.strip().lower())
    if not match or int(match[1]) == 0:
        raise AnalyticsError(f"--expires takes a duration like 90d, 12h or 2w, not {text!r}")
    unit = {"d": "days", "h": "hours", "w": "weeks"}[match[2]]
    return timedelta(**{unit: int(match[1])})


def grant(con: duckdb.DuckDBPyConnection, business_ids: Sequence[str], name: str,
          expires: timedelta | None = None, *, now: datetime | None = None) -> tuple[str, Grant]:
    """Create a token for ``business_ids`` (each must exist); returns ``(token, grant)``.
    The token is not stored anywhere: show it to the user once."""
    name = name.strip()
    if not name or len(name) > 100 or not name.isprintable():
        raise AnalyticsError("--name takes a short printable label (1–100 characters)")
    if not business_ids:
        raise AnalyticsError("say which businesses the token may read: --business ID")
    businesses = tuple(b.business_id for b in list_businesses(con, business_ids, clients_only=True))
    now = now or datetime.now(UTC)
    token_id = secrets.token_hex(4)
    token = f"{token_id}.{secrets.token_urlsafe(32)}"
    record = Grant(token_id, name, businesses, now, now + expires if expires else None)
    sql.execute(con, "access_insert", token_id=token_id, label=name,
                token_sha256=_digest(token), businesses=list(businesses), created_at=now,
                expires_at=record.expires_at)
    return token, record


def list_grants(con: duckdb.DuckDBPyConnection) -> list[Grant]:
    """Every token's record, newest first."""
    return [Grant(r["token_id"], r["name"], tuple(r["businesses"]), r["created_at"],
                  r["expires_at"], r["revoked_at"]) for r in sql.records(con, "access_list")]


def revoke(con: duckdb.DuckDBPyConnection, which: str, *,
           now: datetime | None = None) -> list[str]:
    """Revoke the token whose id or name is ``which``; returns the ids revoked."""
    rows = sql.records(con, "access_revoke", which=which.strip(), now=now or datetime.now(UTC))
    if not rows:
        raise AnalyticsError(f"no active token with id or name {which!r} "
                             "(`analytics access list` shows them)")
    return [r["token_id"] for r in rows]


@dataclass(frozen=True)
class StoredToken:
    """A token's record as stored: its hash, what it grants, until when."""

    grant: Grant
    token_sha256: str


def _stored(row: dict) -> StoredToken:
    return StoredToken(Grant(row["token_id"], row["name"], tuple(row["businesses"]), None,
                             row["expires_at"], row["revoked_at"]), row["token_sha256"])


def stored_tokens(con: duckdb.DuckDBPyConnection) -> dict[str, StoredToken]:
    """Every token's record by id (a server checks tokens against these in memory)."""
    return {r["token_id"]: _stored(r) for r in sql.records(con, "access_stored")}


def check(stored: dict[str, StoredToken] | StoredToken | None, token: str | None, *,
          now: datetime | None = None) -> Grant | None:
    """The grant of ``token`` if it is well formed, its hash equals the stored one (compared
    in constant time, against a dummy when the id is unknown, so both refusals cost the
    same), and it is neither expired nor revoked; else None."""
    match = _TOKEN.match(token or "")
    if not match:
        return None
    record = stored.get(match[1]) if isinstance(stored, dict) else stored
    expected = record.token_sha256 if record else "0" * 64
    if not hmac.compare_digest(expected, _digest(token)) or record is None:
        return None
    found = record.grant
    return found if found.state(now or datetime.now(UTC)) == "active" else None
