"""A worker process that dies costs its own task only; the batch goes on."""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor

from analytics.render.pool import run_resilient


def work(n: int) -> int:
    if n == 7:
        os._exit(9)  # like the out-of-memory killer: no exception, the process is gone
    if n == 3:
        raise ValueError("three is bad")
    return n * n


def test_a_dying_worker_fails_only_its_own_task() -> None:
    results, failures, pools = {}, {}, []

    def make_pool() -> ProcessPoolExecutor:
        pools.append(1)
        return ProcessPoolExecutor(max_workers=2, mp_context=multiprocessing.get_context("fork"))

    run_resilient(range(20), work, make_pool, 4,
                  on_result=lambda n, r: results.__setitem__(n, r),
                  on_failure=lambda n, reason: failures.__setitem__(n, reason))
    assert sorted(failures) == [3, 7]
    assert failures[3] == "ValueError: three is bad"
    assert "worker process died, twice" in failures[7]
    assert results == {n: n * n for n in range(20) if n not in (3, 7)}
    assert len(pools) == 3  # the first pool, and one per death of task 7
