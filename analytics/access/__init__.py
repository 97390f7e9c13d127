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

import duckdb

from analytics import AnalyticsError
from analytics.warehouse import sql
from analytics.warehouse.businesses import list_businesses

#: Every query this module runs (the registry test checks none is orphaned).
ACCESS_QUERIES = ("access_insert", "access_list", "access_revoke", "access_lookup")

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
    businesses = tuple(b.business_id for b in list_businesses(con, business_ids))
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


def verify(con: duckdb.DuckDBPyConnection, token: str | None, *,
           now: datetime | None = None) -> Grant | None:
    """The grant of a valid token (known, hash equal, not expired nor revoked); else None."""
    match = _TOKEN.match(token or "")
    if not match:
        return None
    rows = sql.records(con, "access_lookup", token_id=match[1])
    # compare against a dummy hash when the id is unknown, so both refusals cost the same
    stored = rows[0]["token_sha256"] if rows else "0" * 64
    if not hmac.compare_digest(stored, _digest(token)) or not rows:
        return None
    row = rows[0]
    found = Grant(row["token_id"], row["name"], tuple(row["businesses"]), None,
                  row["expires_at"], row["revoked_at"])
    return found if found.state(now or datetime.now(UTC)) == "active" else None
