"""What the web app reads: a private snapshot of the warehouse, refreshed when it changes.

DuckDB lets one process write a file, or any number read it, never both: a reader holding
the file, even for a few milliseconds per request, would make ``ingest``, ``report`` or
``send`` fail to open it. So the server never reads the warehouse itself while serving. It
copies the file once (holding a read-only connection, which guarantees no writer is half way
through, for as long as the copy takes) and answers every request from that copy, which no
other process knows about. Each request stats the warehouse (at most once a second); when it
has changed, a background thread takes a new copy and swaps it in, and requests keep using
the old one meanwhile. A writer busy at that moment simply means trying again a second later.

All opening of a DuckDB file happens in :func:`open_reader`, so a different reader policy is
a one-function change.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from analytics import AnalyticsError, warehouse

#: How often (seconds) a request may look at the warehouse file for changes.
CHECK_EVERY = 1.0
#: Report models kept per snapshot (a model is a few tens of kB).
CACHE_SIZE = 2048


def open_reader(path: Path) -> duckdb.DuckDBPyConnection:
    """The one place the server opens a DuckDB file: read-only, never the write lock, and
    never an upgrade (a schema change is a writer's job: the next ingest, report or send)."""
    return warehouse.connect(path, read_only=True, upgrade=False)


def _stamp(db: Path) -> tuple[int, int, int, int]:
    """Changes whenever a writer has touched the warehouse (its file or its WAL)."""
    stamp = []
    for file in (db, db.with_name(db.name + ".wal")):
        try:
            info = file.stat()
            stamp += [info.st_mtime_ns, info.st_size]
        except FileNotFoundError:
            stamp += [0, 0]
    return tuple(stamp)  # type: ignore[return-value]


class NotCached(LookupError):
    """The value is not built yet for the current snapshot."""


@dataclass
class _Snapshot:
    """One copy of the warehouse, its connection, and the report models built from it."""

    folder: Path
    con: duckdb.DuckDBPyConnection
    source_stamp: tuple[int, int, int, int]
    generation: int
    users: int = 0
    retired: bool = False

    def __post_init__(self) -> None:
        self.cache: OrderedDict[Any, Any] = OrderedDict()

    def close(self) -> None:
        self.con.close()
        shutil.rmtree(self.folder, ignore_errors=True)


class WarehouseReader:
    """Hands out cursors on the current snapshot of the warehouse at ``db``."""

    def __init__(self, db: Path, *, workdir: Path | None = None,
                 on_snapshot: Callable[[], None] | None = None):
        self.db = Path(db)
        #: run in a background thread each time a snapshot is put in place (cache warming)
        self.on_snapshot = on_snapshot
        if not self.db.exists():
            raise AnalyticsError(f"no warehouse at {self.db}; create one with `analytics demo` "
                                 "or `analytics ingest FILE`")
        self._workdir = Path(tempfile.mkdtemp(prefix="analytics-serve-", dir=workdir))
        self._lock = threading.Lock()
        self._refreshing = False
        self._checked = 0.0
        self._generation = 0
        self._current = self._take_snapshot(attempts=50)

    def start(self) -> None:
        """Announce the first snapshot (the server calls this once it is up)."""
        self._announce()

    def _announce(self) -> None:
        if self.on_snapshot is not None:
            threading.Thread(target=self.on_snapshot, name="snapshot-warm", daemon=True).start()

    # --- snapshots ------------------------------------------------------------------------

    def _take_snapshot(self, attempts: int = 1) -> _Snapshot:
        """Copy the warehouse (file and WAL) as a reader under the warehouse's shared lock:
        no writer of ours (ingest, send, demo, report's history) can start, and so checkpoint
        the WAL into the file, between the two copies."""
        from analytics.warehouse import access

        last: Exception | None = None
        for attempt in range(attempts):
            try:
                session = access.reading(self.db, timeout=0.5)
            except AnalyticsError as exc:  # a writer holds it: wait for it to finish
                last = exc
                time.sleep(min(0.1 * (attempt + 1), 1.0))
                continue
            try:
                stamp = _stamp(self.db)
                self._generation += 1
                folder = self._workdir / f"snapshot-{self._generation}"
                folder.mkdir()
                copy = folder / "warehouse.duckdb"
                # DuckDB's own lock is a POSIX record lock, which this process loses when any
                # of its descriptors on the file closes (copyfile's): the lock file of
                # analytics.warehouse.access, held until both copies are done, is what keeps
                # writers out
                shutil.copyfile(self.db, copy)
                wal = self.db.with_name(self.db.name + ".wal")
                if wal.exists():
                    shutil.copyfile(wal, copy.with_name(copy.name + ".wal"))
            finally:
                session.close()
            return _Snapshot(folder, open_reader(copy), stamp, self._generation)
        raise AnalyticsError(f"cannot read {self.db}: {last}")

    def _maybe_refresh(self) -> None:
        now = time.monotonic()
        with self._lock:  # one look a second, and one refresh at a time
            if now - self._checked < CHECK_EVERY or self._refreshing:
                return
            self._checked = now
            if _stamp(self.db) == self._current.source_stamp:
                return
            self._refreshing = True
        threading.Thread(target=self._refresh, name="snapshot-refresh", daemon=True).start()

    def _refresh(self) -> None:
        try:
            fresh = self._take_snapshot()
        except Exception:  # noqa: BLE001 - a writer is busy: the check a second later retries
            with self._lock:
                self._refreshing = False
            return
        with self._lock:
            old, self._current = self._current, fresh
            old.retired = True
            self._refreshing = False
            if old.users == 0:
                old.close()
        self._announce()

    # --- reading --------------------------------------------------------------------------

    @contextlib.contextmanager
    def cursor(self) -> Iterator[tuple[duckdb.DuckDBPyConnection, _Snapshot]]:
        """A cursor of its own (DuckDB cursors are per thread) on the current snapshot."""
        self._maybe_refresh()
        with self._lock:
            snapshot = self._current
            snapshot.users += 1
        cursor = snapshot.con.cursor()
        try:
            yield cursor, snapshot
        finally:
            cursor.close()
            with self._lock:
                snapshot.users -= 1
                if snapshot.retired and snapshot.users == 0:
                    snapshot.close()

    def cached(self, key: Any, build: Callable[[duckdb.DuckDBPyConnection], Any], *,
               cache_only: bool = False) -> Any:
        """``build(cursor)`` once per snapshot and key (report models do not change until the
        warehouse does). ``cache_only``: raise :class:`NotCached` rather than build, so an
        async caller can answer a hit at once and send only a miss to a worker thread."""
        self._maybe_refresh()
        with self._lock:
            if key in self._current.cache:
                self._current.cache.move_to_end(key)
                return self._current.cache[key]
        if cache_only:
            raise NotCached(key)
        with self.cursor() as (cursor, snapshot):
            with self._lock:
                if key in snapshot.cache:
                    snapshot.cache.move_to_end(key)
                    return snapshot.cache[key]
            value = build(cursor)
            with self._lock:
                snapshot.cache[key] = value
                while len(snapshot.cache) > CACHE_SIZE:
                    snapshot.cache.popitem(last=False)
            return value

    def store(self, snapshot: _Snapshot, key: Any, value: Any) -> bool:
        """Put a value built elsewhere (a warming batch) in ``snapshot``'s cache; False once
        that snapshot has been replaced (the warming can stop)."""
        with self._lock:
            if snapshot.retired:
                return False
            snapshot.cache[key] = value
            while len(snapshot.cache) > CACHE_SIZE:
                snapshot.cache.popitem(last=False)
            return True

    def close(self) -> None:
        with self._lock:
            self._current.retired = True
            if self._current.users == 0:
                self._current.close()
        shutil.rmtree(self._workdir, ignore_errors=True)
