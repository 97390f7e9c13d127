"""Who may use the warehouse when: one writer at a time, and readers only while they read.

DuckDB lets a process open a database file for writing only when no other process has it open
at all, and it fails at once ("Could not set lock on file…") instead of waiting. So every
command goes through this module, which puts a lock file beside the warehouse
(``<warehouse>.lock``) in front of DuckDB's own lock:

* **writers** (``ingest``, ``send``, ``demo``, the scheduled job) take it exclusively for their
  whole run (:func:`writing`, :func:`write_lock`). Finding it held, they say so in one line and
  wait, up to a bounded time (``--wait SECONDS``, else ``$ANALYTICS_LOCK_TIMEOUT``, else
  ``config.LOCK_TIMEOUT_SECONDS``), then give up with one line (:class:`WarehouseBusy`) having
  written nothing. A writer recording something that has already happened outside the
  warehouse (``send``: a message the mail server accepted) waits without a time limit instead
  (``writing(..., recording=...)``): giving up would lose it;
* **readers** (``report``, the notebook helpers, ``businesses``) take it shared, and only for
  as long as they read (:func:`reading`): a report batch closes its connection once its snapshot
  is read, before a single chart is drawn; a notebook's :class:`Warehouse` handle holds no file
  at all between two reads. A read-only connection sees one committed state, and no writer can
  commit while it is open, so a read never mixes rows from before and after an ingest.

We chose short-lived read-only connections over a read-only copy of the file refreshed after
each write: ``make bench`` measures both (``benchmarks/bench_concurrency.py``). A copy costs
every write a full copy of the warehouse and twice its disk space, to save readers a wait that
only a writer in progress causes.

``send`` also takes a lock of its own for its whole run (:func:`sending`,
``<warehouse>.send.lock``): one sender at a time, so a delivery is never attempted by two
runs, while the writer lock is held only for its short reads and writes of the delivery log:
an ``ingest`` runs while a long send renders or talks to the mail server.

Scratch files (a demo warehouse being built) are named by :func:`scratch_path`; they belong to
the writer lock, and the next writer to take it removes any that a killed writer left behind.

A writer stopped by SIGTERM (a service manager, ``kill``) must still run its clean-up:
:func:`terminate_as_exit` turns SIGTERM into ``SystemExit`` for the demo and for ``send``, and
:func:`uninterrupted` lets ``send`` finish a mail transaction and record it before stopping.
"""

from __future__ import annotations

import contextlib
import fcntl
import math
import os
import re
import shutil
import signal
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import TracebackType

import duckdb

from analytics import AnalyticsError, config
from analytics.records import Record
from analytics.warehouse import SchemaOutdated, WarehouseBusy, connect, sql

#: Called with one line when a command starts to wait for the warehouse.
OnWait = Callable[[str], None]

_POLL_SECONDS = (0.05, 0.1, 0.2, 0.25)  # then 0.25 s between tries
_HOW_TO_WAIT_LONGER = "--wait SECONDS or $ANALYTICS_LOCK_TIMEOUT"


def lock_path(db: str | Path) -> Path:
    """The lock file of the warehouse ``db``: ``<db>.lock`` beside it."""
    db = Path(db)
    return db.with_name(db.name + ".lock")


def send_lock_path(db: str | Path) -> Path:
    """The lock file only senders take: ``<db>.send.lock`` beside it."""
    db = Path(db)
    return db.with_name(db.name + ".send.lock")


def scratch_path(db: str | Path, purpose: str) -> Path:
    """A scratch file beside ``db`` for a writer holding the lock (``purpose``: a word)."""
    db = Path(db)
    return db.with_name(f".{db.name}.{purpose}-{os.getpid()}.tmp")


def _sweep_scratch(db: Path) -> list[Path]:
    """Remove the scratch files (and DuckDB's ``.wal`` and spill folder beside them) of
    writers that died holding the lock. Only called with the lock held exclusively, so none of
    them can belong to a live writer."""
    pattern = re.compile(rf"^\.{re.escape(db.name)}\.[a-z]+-\d+\.tmp(\.wal|\.tmp)?$")
    removed = []
    with contextlib.suppress(OSError):
        for entry in db.parent.iterdir():
            if pattern.match(entry.name):
                if entry.is_dir() and not entry.is_symlink():
                    shutil.rmtree(entry, ignore_errors=True)
                else:
                    entry.unlink(missing_ok=True)
                removed.append(entry)
    return removed


@dataclass(frozen=True)
class Holder:
    """The writer holding the lock, as it wrote itself into the lock file."""

    pid: int
    command: str
    since: str

    @classmethod
    def read(cls, fd: int) -> Holder | None:
        try:
            text = os.pread(fd, 200, 0).decode("utf-8", "replace").strip()
            pid, since, command = text.split(" ", 2)
            return cls(int(pid), command, since)
        except (OSError, ValueError):
            return None

    def describe(self) -> str:
        return f"`analytics {self.command}` (pid {self.pid}) has been writing since {self.since}"


class _Lock:
    """The lock file, shared (readers) or exclusive (writers), taken within a deadline."""

    def __init__(self, db: Path, *, exclusive: bool, purpose: str, timeout: float | None,
                 on_wait: OnWait | None, path: Path | None = None,
                 recording: str | None = None, if_busy: str | None = None) -> None:
        self.db, self.exclusive, self.purpose = db, exclusive, purpose
        #: the writer lock unless told otherwise (the senders' lock)
        self.path = path or lock_path(db)
        #: what the writer records that has already happened: no deadline then
        self.recording = recording
        #: what giving up means for the command, said in its WarehouseBusy message
        self.if_busy = if_busy or ("nothing was written" if exclusive else "nothing was read")
        self.timeout = config.lock_timeout(timeout)
        self.deadline = math.inf if recording else time.monotonic() + self.timeout
        self.on_wait = on_wait
        self.waited = False
        self.fd: int | None = None

    def _open(self) -> int | None:
        path = self.path
        try:
            return os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o666)
        except OSError as exc:
            if self.exclusive:
                raise AnalyticsError(f"cannot create the lock file {path}: "
                                     f"{exc.strerror or exc}; is the folder writable?") from exc
        try:  # a reader of a warehouse on read-only storage: nothing can write it there
            return os.open(path, os.O_RDONLY | os.O_CLOEXEC)
        except OSError:
            return None

    def tell(self, why: str) -> None:
        """Say once that we wait, and for what."""
        if not self.waited:
            self.waited = True
            if not self.on_wait:
                return
            if self.recording:
                self.on_wait(f"waiting for the warehouse to record {self.recording} "
                             f"({self.db}: {why}); no time limit: it has already happened")
            else:
                self.on_wait(f"waiting for the warehouse {self.db}: {why}; "
                             f"giving up after {self.timeout:g} s ({_HOW_TO_WAIT_LONGER})")

    def give_up(self, why: str) -> WarehouseBusy:
        return WarehouseBusy(f"the warehouse {self.db} is still busy after {self.timeout:g} s "
                             f"({why}); {self.if_busy}; try again later, or wait longer with "
                             f"{_HOW_TO_WAIT_LONGER}")

    def pause(self, tries: int, why: str) -> None:
        """Wait a moment before the next try, or give up when the deadline has passed."""
        if time.monotonic() >= self.deadline:
            raise self.give_up(why)
        self.tell(why)
        time.sleep(_POLL_SECONDS[min(tries, len(_POLL_SECONDS) - 1)])

    def acquire(self) -> None:
        self.fd = self._open()
        if self.fd is None:
            return
        mode = fcntl.LOCK_EX if self.exclusive else fcntl.LOCK_SH
        tries = 0
        while True:
            try:
                fcntl.flock(self.fd, mode | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                holder = Holder.read(self.fd)
                why = (holder.describe() if holder and _alive(holder.pid)
                       else "other commands are reading it")
                try:
                    self.pause(tries, why)
                except BaseException:
                    self.release()
                    raise
                tries += 1
        if self.exclusive:
            since = datetime.now().astimezone().strftime("%H:%M:%S")
            os.ftruncate(self.fd, 0)
            os.pwrite(self.fd, f"{os.getpid()} {since} {self.purpose}\n".encode(), 0)
            if self.path == lock_path(self.db):  # scratch files belong to the writer lock
                _sweep_scratch(self.db)

    def release(self) -> None:
        if self.fd is None:
            return
        fd, self.fd = self.fd, None
        with contextlib.suppress(OSError):
            if self.exclusive:
                os.ftruncate(fd, 0)
        os.close(fd)  # closing the descriptor releases the flock


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _open_duckdb(db: Path, lock: _Lock, *, read_only: bool) -> duckdb.DuckDBPyConnection:
    """Open DuckDB under our lock. A process outside it (an older analytics, the duckdb shell)
    may still hold DuckDB's own lock: wait for it within the same deadline."""
    tries = 0
    while True:
        try:
            return connect(db, read_only=read_only, upgrade=False)
        except WarehouseBusy as exc:
            pid = re.search(r"\(PID (\d+)\)", str(exc))
            lock.pause(tries, f"another process{f' (pid {pid[1]})' if pid else ''} has it open "
                              "outside analytics (an older version, the duckdb shell?)")
            tries += 1


class Session:
    """A connection opened under the lock; :meth:`close` (idempotent) closes the connection and
    releases the lock. A context manager, yielding the connection."""

    def __init__(self, db: str | Path, *, exclusive: bool, purpose: str,
                 timeout: float | None = None, on_wait: OnWait | None = None,
                 recording: str | None = None, if_busy: str | None = None) -> None:
        self.db = Path(db)
        if not exclusive and not self.db.exists():
            raise AnalyticsError(f"no warehouse at {self.db}; create one with `analytics demo` "
                                 "or `analytics ingest FILE`")
        if exclusive:
            self.db.parent.mkdir(parents=True, exist_ok=True)
        self._lock = _Lock(self.db, exclusive=exclusive, purpose=purpose, timeout=timeout,
                           on_wait=on_wait, recording=recording, if_busy=if_busy)
        self.con: duckdb.DuckDBPyConnection | None = None
        self._lock.acquire()
        try:
            self.con = self._open()
        except BaseException:
            self._lock.release()
            raise

    def _open(self) -> duckdb.DuckDBPyConnection:
        if self._lock.exclusive:
            return _open_duckdb(self.db, self._lock, read_only=False)
        try:
            return _open_duckdb(self.db, self._lock, read_only=True)
        except SchemaOutdated:
            # a reader may not upgrade: let a writer do it, then read on under our lock
            self._lock.release()
            with Session(self.db, exclusive=True, purpose="upgrade",
                         timeout=max(0.0, self._lock.deadline - time.monotonic()),
                         on_wait=self._lock.on_wait):
                pass
            self._lock = _Lock(self.db, exclusive=False, purpose="read",
                               timeout=max(0.0, self._lock.deadline - time.monotonic()),
                               on_wait=self._lock.on_wait)
            self._lock.acquire()
            return _open_duckdb(self.db, self._lock, read_only=True)

    @property
    def waited(self) -> bool:
        return self._lock.waited

    def close(self) -> None:
        if self.con is not None:
            con, self.con = self.con, None
            con.close()
        self._lock.release()

    def __enter__(self) -> duckdb.DuckDBPyConnection:
        assert self.con is not None
        return self.con

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


def writing(db: str | Path, purpose: str, *, timeout: float | None = None,
            on_wait: OnWait | None = None, recording: str | None = None,
            if_busy: str | None = None) -> Session:
    """A read-write connection to ``db`` under the writer lock, held until closed.

    ``purpose`` names the command (``ingest``, ``send``…) for the message others see while
    they wait. Raises :class:`WarehouseBusy` when the lock is not free within ``timeout``
    seconds (default: :func:`analytics.config.lock_timeout`); its message says ``if_busy``
    (default "nothing was written") as what that means.

    ``recording`` names something that has already happened and that this session records
    (``"a sent message"``): then there is no time limit (giving up would lose it), and the
    one ``on_wait`` line says what is being waited for.
    """
    return Session(db, exclusive=True, purpose=purpose, timeout=timeout, on_wait=on_wait,
                   recording=recording, if_busy=if_busy)


def reading(db: str | Path, *, timeout: float | None = None,
            on_wait: OnWait | None = None) -> Session:
    """A read-only connection to ``db``; close it as soon as the read is done, because a
    writer waits for it."""
    return Session(db, exclusive=False, purpose="read", timeout=timeout, on_wait=on_wait)


@contextlib.contextmanager
def write_lock(db: str | Path, purpose: str, *, timeout: float | None = None,
               on_wait: OnWait | None = None) -> Iterator[None]:
    """The writer lock alone, for a writer that replaces the file rather than opening it (the
    demo). SIGTERM inside becomes an exception, so the writer's cleanup runs."""
    db = Path(db)
    db.parent.mkdir(parents=True, exist_ok=True)
    lock = _Lock(db, exclusive=True, purpose=purpose, timeout=timeout, on_wait=on_wait)
    lock.acquire()
    try:
        with terminate_as_exit():
            yield
    finally:
        lock.release()


@contextlib.contextmanager
def sending(db: str | Path, *, timeout: float | None = None,
            on_wait: OnWait | None = None) -> Iterator[None]:
    """The senders' lock alone, held for a whole ``send``: one sender at a time, so no
    delivery is claimed by two runs. It opens no connection; the sender takes the writer lock
    (:func:`writing`) only for each short read or write of the delivery log. The sender runs
    inside :func:`terminate_as_exit`, so a SIGTERM releases this lock too."""
    db = Path(db)
    lock = _Lock(db, exclusive=True, purpose="send", timeout=timeout, on_wait=on_wait,
                 path=send_lock_path(db))
    lock.acquire()
    try:
        yield
    finally:
        lock.release()


class _Termination:
    """SIGTERM received while :func:`uninterrupted` holds it back (this process's only one)."""

    holding = 0  # depth of uninterrupted() blocks
    signum: int | None = None
    interrupted = False  # Ctrl-C held back the same way


def _hold_interrupt(signum: int, frame: object) -> None:
    _Termination.interrupted = True


@contextlib.contextmanager
def terminate_as_exit() -> Iterator[None]:
    """SIGTERM inside becomes ``SystemExit(128 + signal)`` (exit status 143), so ``finally``
    blocks run: locks released, scratch files removed, what was done recorded. Inside
    :func:`uninterrupted`, it waits for that block's end. Nothing changes outside the main
    thread (signals cannot be handled there)."""

    def stop(signum: int, frame: object) -> None:
        if _Termination.holding:
            _Termination.signum = signum  # raised when the uninterrupted block ends
            return
        raise SystemExit(128 + signum)

    try:
        previous = signal.signal(signal.SIGTERM, stop)
    except ValueError:  # not the main thread: signals cannot be handled here
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextlib.contextmanager
def uninterrupted() -> Iterator[None]:
    """Inside :func:`terminate_as_exit`: a SIGTERM received in this block stops the process
    only at its end. For work that must not be cut in two: a message handed to the mail server
    and its outcome recorded (cut between them, the next run would send it again). Keep such
    blocks short; a blocking socket call resumes after the signal (PEP 475). Ctrl-C (SIGINT)
    is held back too: the block may wait for the warehouse without a time limit, which
    invites it, and a KeyboardInterrupt there would leave a sent message unrecorded."""
    installed, previous_interrupt = False, None
    if not _Termination.holding:
        try:
            previous_interrupt = signal.signal(signal.SIGINT, _hold_interrupt)
            installed = True
        except ValueError:  # not the main thread: signals cannot be handled here
            pass
    _Termination.holding += 1
    try:
        yield
    finally:
        _Termination.holding -= 1
        if installed:
            signal.signal(signal.SIGINT, previous_interrupt)
        if not _Termination.holding and _Termination.signum is not None:
            signum, _Termination.signum = _Termination.signum, None
            raise SystemExit(128 + signum)
        if not _Termination.holding and _Termination.interrupted:
            _Termination.interrupted = False
            raise KeyboardInterrupt


class Warehouse:
    """A handle on the warehouse for notebooks and services. It holds no file open: each
    :meth:`read` opens a short read-only connection and closes it, so a notebook left open
    overnight never stops ``ingest`` or ``send``."""

    def __init__(self, path: str | Path, *, timeout: float | None = None,
                 on_wait: OnWait | None = None) -> None:
        self.path = Path(path)
        self.timeout = timeout
        self.on_wait = on_wait
        if not self.path.exists():
            raise AnalyticsError(f"no warehouse at {self.path}; create one with "
                                 "`analytics demo` or `analytics ingest FILE`")

    def read(self) -> Session:
        """``with handle.read() as con: …`` — a read-only connection for one consistent read."""
        return reading(self.path, timeout=self.timeout, on_wait=self.on_wait)

    def close(self) -> None:
        """Nothing to close (kept so that code written for a connection still runs)."""

    def __repr__(self) -> str:
        return f"Warehouse({str(self.path)!r})"


# --- what a reader read ------------------------------------------------------------------------

#: The query files this module runs (the registry test checks none is orphaned).
WAREHOUSE_QUERIES = ("data_state",)


@dataclass(frozen=True)
class DataState(Record):
    """``report.json`` ``warehouse``: the as-of state of the warehouse, as a reader saw it: its
    post observations and when the newest was ingested (ISO timestamp). Any ingest that
    changes a counter changes it."""

    observations: int = 0
    last_ingest_at: str | None = None


def data_state(con: duckdb.DuckDBPyConnection) -> DataState:
    """The state of the warehouse on ``con``. Read it on the same connection as the data it
    describes (one connection sees one committed state)."""
    (row,) = sql.records(con, "data_state")
    last = row["last_ingest_at"]
    return DataState(row["observations"], last.isoformat() if last else None)
