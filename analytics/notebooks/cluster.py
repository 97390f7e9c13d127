"""Notebook batches on a Dask cluster: one task per business shard.

A notebook's kernel opens a warehouse file, and a worker on another machine has none: so each
task loads its shard's published Parquet into a scratch warehouse in the worker's temporary
folder (:func:`analytics.warehouse.published.materialize_shard`) and runs its businesses'
notebooks on one warm kernel against it. Parameters are checked by the main process before
anything is submitted (``notebooks.plan``); outputs go under ``--out``, which the workers must
reach (a shared folder).
"""

from __future__ import annotations

import dataclasses
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from analytics import AnalyticsError, config
from analytics.notebooks import NotebookJob, NotebookResult, run_notebooks

#: A task that raised is tried again; a task whose worker died is rescheduled by Dask.
TASK_RETRIES = 2


def run_notebook_shard(folder: Path, jobs: Sequence[NotebookJob]) -> list[NotebookResult]:
    """Run one shard's notebooks (on a Dask worker) against a scratch copy of the shard."""
    from analytics.warehouse.published import materialize_shard

    with tempfile.TemporaryDirectory(prefix="analytics-shard-") as scratch:
        db = materialize_shard(folder, Path(scratch) / "shard.duckdb")
        local = [dataclasses.replace(job, parameters=job.parameters | {"db": str(db)})
                 if "db" in job.parameters else job for job in jobs]
        return run_notebooks(local, 1)


def run_cluster_notebooks(
    address: str,
    published: Path,
    jobs: Sequence[NotebookJob],
    on_result: Callable[[NotebookResult], None] | None = None,
) -> list[NotebookResult]:
    """Run ``jobs`` on the Dask scheduler at ``address``, one task per shard of the published
    copy in ``published``; results in the order of ``jobs``."""
    from distributed import Client, as_completed

    from analytics.warehouse.published import load_manifest

    manifest = load_manifest(published)
    shard_of = {b: shard for shard, ids in manifest.parts.items() for b in ids}
    missing = sorted({j.business_id for j in jobs} - set(shard_of))
    if missing:
        raise AnalyticsError(f"unknown business {', '.join(map(repr, missing))} in the "
                             f"published warehouse {published}")
    by_shard: dict[int, list[NotebookJob]] = {}
    for job in jobs:
        by_shard.setdefault(shard_of[job.business_id], []).append(job)
    # as for reports: a big shard is cut into tasks, so every worker has work
    size = config.CLUSTER_TASK_BUSINESSES
    tasks = [(shard, shard_jobs[i:i + size]) for shard, shard_jobs in sorted(by_shard.items())
             for i in range(0, len(shard_jobs), size)]
    done: dict[str, NotebookResult] = {}
    try:
        client = Client(address, timeout=config.CLUSTER_CONNECT_TIMEOUT)
    except OSError as exc:
        raise AnalyticsError(f"cannot reach the Dask scheduler at {address}: {exc}") from exc
    with client:
        futures = {
            client.submit(run_notebook_shard, manifest.shard_folder(shard).resolve(), shard_jobs,
                          retries=TASK_RETRIES, pure=False): shard_jobs
            for shard, shard_jobs in tasks
        }
        for future in as_completed(futures):
            try:
                results = future.result()
            except Exception as exc:  # noqa: BLE001 - the whole shard failed, after retries
                results = [NotebookResult(j.business_id, ok=False,
                                          error=f"its shard's task failed: "
                                                f"{type(exc).__name__}: {exc}")
                           for j in futures[future]]
            for result in results:
                done[result.business_id] = result
                if on_result:
                    on_result(result)
    return [done[job.business_id] for job in jobs]
