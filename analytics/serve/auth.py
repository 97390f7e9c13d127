"""Checking a request's token, and slowing down an address that keeps guessing.

The token arrives as ``Authorization: Bearer <token>`` (the API) or in the portal's cookie
(set from a link's ``?token=``). It is checked against the current snapshot with
:func:`analytics.access.check` (hashes compared in constant time). It is never logged and
never put in a response.
"""

from __future__ import annotations

import asyncio
import threading
import time
from dataclasses import dataclass

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from analytics.access import Grant, check, stored_tokens
from analytics.serve.data import NotCached, WarehouseReader

#: Bad tokens an address may send before its answers are delayed.
FREE_FAILURES = 5
#: The delay grows by this factor per failure beyond the free ones, up to MAX_DELAY seconds.
BASE_DELAY, MAX_DELAY = 0.25, 5.0
#: An address's count of failures is forgotten after this many quiet seconds.
FORGET_AFTER = 300.0
COOKIE = "analytics_token"


class Unauthorized(Exception):
    """No token, or one that is unknown, expired or revoked (a 401)."""


@dataclass
class _Failures:
    count: int
    last: float


class Guard:
    """Verifies tokens; counts failures per client address and delays repeat offenders."""

    def __init__(self, reader: WarehouseReader, free_failures: int = FREE_FAILURES):
        self.reader = reader
        self.free_failures = free_failures
        self._failures: dict[str, _Failures] = {}
        self._lock = threading.Lock()

    def delay(self, address: str) -> float:
        """Seconds an answer to ``address`` is held back now."""
        with self._lock:
            seen = self._failures.get(address)
            if seen is None or time.monotonic() - seen.last > FORGET_AFTER:
                return 0.0
            extra = seen.count - self.free_failures
        return 0.0 if extra < 0 else min(BASE_DELAY * 2 ** extra, MAX_DELAY)

    def _failed(self, address: str) -> None:
        now = time.monotonic()
        with self._lock:
            seen = self._failures.get(address)
            if seen is None or now - seen.last > FORGET_AFTER:
                seen = self._failures[address] = _Failures(0, now)
            seen.count += 1
            seen.last = now
            if len(self._failures) > 10_000:  # bounded memory under a spray of addresses
                oldest = min(self._failures, key=lambda a: self._failures[a].last)
                del self._failures[oldest]

    def _verify(self, token: str, cache_only: bool = False) -> Grant | None:
        # the token table is read once per snapshot, then checked in memory
        return check(self.reader.cached(("tokens",), stored_tokens, cache_only=cache_only),
                     token)

    async def check_token(self, request: Request, token: str | None) -> Grant:
        address = request.client.host if request.client else "-"
        wait = self.delay(address)
        if wait:
            await asyncio.sleep(wait)
        grant = None
        if token:
            try:  # the snapshot's tokens already read: a hash and a comparison, at once
                grant = self._verify(token, cache_only=True)
            except NotCached:
                grant = await run_in_threadpool(self._verify, token)
        if grant is None:
            if token is not None:  # no token at all is not a guess
                self._failed(address)
            raise Unauthorized("a valid token is needed" if token is None
                               else "this token is not valid (unknown, expired or revoked)")
        return grant

    async def check(self, request: Request, header: str | None) -> Grant:
        """The grant of an ``Authorization: Bearer`` header."""
        scheme, _, token = (header or "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthorized("send Authorization: Bearer <token> (`analytics access grant`)")
        return await self.check_token(request, token.strip())
