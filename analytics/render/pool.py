"""Worker pools that survive a worker's death.

When a worker process dies (killed by the out-of-memory killer, a crash in a C library),
``ProcessPoolExecutor`` marks the whole pool broken and fails every task still queued. Here a
broken pool is replaced and the tasks that were in flight are tried again one at a time, so a
task that kills its worker again is found alone and fails alone. The rest of the batch goes
on.

Workers also exit when the process that started them dies (``exit_with_parent``): a
``kill -9`` of ``analytics report`` would otherwise leave them, the fork server and the
resource tracker blocked forever on pipes that other workers keep open, holding the caller's
standard output (``analytics report --all | cat > log`` would never end).
"""

from __future__ import annotations

import contextlib
import os
import select
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Executor, Future, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


@dataclass
class _Job(Generic[T]):
    task: T
    deaths: int = 0  # pools that died while this task was in flight


def run_resilient(
    tasks: Iterable[T],
    work: Callable[[T], R],
    make_pool: Callable[[], Executor],
    in_flight_limit: int,
    on_result: Callable[[T, R], None],
    on_failure: Callable[[T, str], None],
) -> None:
    """Run ``work(task)`` for every task on pools from ``make_pool``, at most
    ``in_flight_limit`` tasks submitted at once (so a long batch is never all in memory).

    Results arrive in completion order through ``on_result``; a task whose work raised, or
    whose worker died twice, goes to ``on_failure`` with the reason.
    """
    suspects: deque[_Job[T]] = deque()  # in flight when a pool died
    source = iter(tasks)
    exhausted = False
    pool = make_pool()
    in_flight: dict[Future[Any], _Job[T]] = {}
    try:
        while True:
            # a suspect runs alone, so if it kills its worker again, it alone is blamed
            while len(in_flight) < in_flight_limit and not any(
                    j.deaths for j in in_flight.values()):
                if suspects:
                    if in_flight:
                        break
                    job = suspects.popleft()
                elif not exhausted:
                    try:
                        job = _Job(next(source))
                    except StopIteration:
                        exhausted = True
                        continue
                else:
                    break
                try:
                    in_flight[pool.submit(work, job.task)] = job
                except BrokenProcessPool:
                    suspects.appendleft(job)
                    pool = _replace(pool, make_pool)
            if not in_flight:
                return
            done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
            died = False
            for future in done:
                job = in_flight.pop(future)
                try:
                    on_result(job.task, future.result())
                except BrokenProcessPool:
                    died = True
                    in_flight[future] = job  # handled with the rest of the dead pool below
                except Exception as exc:  # noqa: BLE001 - the task's own failure, reported
                    on_failure(job.task, f"{type(exc).__name__}: {exc}")
            if died:
                # every task of the dead pool is lost with it: take them all back
                lost = list(in_flight.values())
                in_flight.clear()
                pool = _replace(pool, make_pool)
                for job in lost:
                    job.deaths += 1
                    if job.deaths > 1:
                        on_failure(job.task, "its worker process died, twice (out of memory?);"
                                             " the rest of the batch went on")
                    else:
                        suspects.append(job)
    except BaseException:
        # Ctrl-C or a crash of the main process: drop what is queued, finish nothing more
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    finally:
        pool.shutdown(wait=True)


def _replace(pool: Executor, make_pool: Callable[[], Executor]) -> Executor:
    pool.shutdown(wait=False, cancel_futures=True)
    return make_pool()


#: Called in a worker whose parent died, before it exits (a notebook worker kills its kernel).
_ON_ORPHAN: list[Callable[[], None]] = []


def exit_with_parent(parent_pid: int, on_orphan: Callable[[], None] | None = None) -> None:
    """Make this worker process exit as soon as ``parent_pid`` (the command that started the
    pool) has ended, whatever killed it. A pool's initializer calls it first thing.

    A daemon thread waits on a pidfd of the parent (readable once it has ended: no polling, no
    confusion with a later process that reuses the pid); where pidfds are unavailable it
    checks once a second. ``on_orphan`` runs before the exit, which skips ``atexit``.
    """
    if on_orphan is not None:
        _ON_ORPHAN.append(on_orphan)
    if getattr(exit_with_parent, "watching", False):
        return
    exit_with_parent.watching = True  # type: ignore[attr-defined]
    try:
        pidfd: int | None = os.pidfd_open(parent_pid)
    except ProcessLookupError:
        _orphaned()  # the parent is already gone
        return
    except (AttributeError, OSError):  # not Linux 5.3+: poll instead
        pidfd = None

    def watch() -> None:
        if pidfd is not None:
            select.select([pidfd], [], [])
        else:
            while _alive(parent_pid):
                time.sleep(1.0)
        _orphaned()

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, as another user
        return True
    return True


def _orphaned() -> None:
    for hook in _ON_ORPHAN:
        with contextlib.suppress(Exception):
            hook()
    os._exit(70)  # EX_SOFTWARE; nobody is left to read it
