"""Report batches on a Dask cluster: one task per business shard (or per part of one).

The main process publishes the warehouse (incrementally, see
:mod:`analytics.warehouse.published`), then submits one task per shard (a shard of more than
``config.CLUSTER_TASK_BUSINESSES`` businesses is cut into several) to the Dask scheduler at
``address``. A task opens its shard's Parquet files with DuckDB (never the warehouse file),
builds the shard's report models exactly as a single-machine batch does, skips the reports
whose inputs have not changed, and renders the rest in the worker process itself
(:func:`analytics.render.batch.render_task`): the same bytes, the same files.

* A task whose worker dies is run again on another worker (Dask reschedules it; ``retries``
  covers a task that raised). Reports the dead worker had finished are then found current and
  stamped with this run's id (``RenderOptions.run``), so they are not rendered again and are
  counted written, as the run wrote them: each report is written once and counted once.
* ``--out`` may be an fsspec URL the workers reach (:mod:`analytics.report.remote`): each
  report is rendered into the worker's scratch folder and copied there, its stamp last.
* One failing business is an outcome of its shard's task, never a failed task.
* Workers should run one thread each (``dask worker --nthreads 1``): matplotlib and
  WeasyPrint are not thread-safe.
* Tasks shrink towards the end of the batch (guided self-scheduling, :func:`task_size`):
  the first are ``config.CLUSTER_TASK_BUSINESSES`` businesses, the last one or two, so the
  workers finish together instead of one waiting on another's last big task.
* WeasyPrint does not give memory back: a worker whose memory (RSS) is above
  ``config.CLUSTER_WORKER_RECYCLE_MB`` after a task is replaced by its nanny once that task
  is done (:func:`recycle_if_over`), as ``--jobs`` workers are replaced every 200 reports
  (40 with WeasyPrint).
"""

from __future__ import annotations

import asyncio
import math
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from analytics import AnalyticsError, config
from analytics.metrics.period import Period
from analytics.render.batch import (
    BatchResult,
    Outcome,
    RenderOptions,
    check_formats,
    code_fingerprint,
    plan_task,
    render_task,
    templates_fingerprint,
)
from analytics.render.index import write_index
from analytics.report import remote
from analytics.warehouse.access import DataState

#: A task that raised (not a dead worker: Dask reschedules those itself) is tried again.
TASK_RETRIES = 2


@dataclass(frozen=True)
class ShardJob:
    """One shard's work, sent to a worker: small and picklable."""

    shard: int
    folder: Path  # the shard's Parquet files
    business_ids: tuple[str, ...]
    period: Period
    as_of: date
    limit: int
    shared: str  # code + templates fingerprint, computed once by the main process
    options: RenderOptions
    state: DataState | None = None  # the warehouse's, as published (report.json ``warehouse``)
    #: replace the worker after this task when its RSS is above this many MiB (0: never)
    recycle_mb: int = 0


def render_shard(job: ShardJob) -> tuple[list[Outcome], list[Any]]:
    """Build and render one shard's reports (runs on a Dask worker). Never raises for one
    business: its failure is its outcome. Returns the outcomes and the history rows the
    models were built with (Arrow tables), which the main process stores as a local run
    does."""
    from analytics.report import ReportBatch
    from analytics.warehouse.published import connect_shard

    con = connect_shard(job.folder)
    outcomes: list[Outcome] = []
    try:
        batch = ReportBatch(con, job.business_ids, job.period, job.as_of, limit=job.limit,
                            shard_size=len(job.business_ids),
                            read_posts=bool(set(job.options.formats) & {"csv", "xlsx"}))
        for shard in batch.read_shards():
            for business, result in shard.reports(job.limit):
                # the state of the warehouse the copy was published from (the shard's own
                # tables would count its rows only): the same report.json as a local batch
                planned = plan_task(business.business_id, result, job.period, job.shared,
                                    job.options, job.state, shard.posts)
                outcomes.append(render_task(planned) if not isinstance(planned, Outcome)
                                else planned)
    finally:
        con.close()
    recycle_if_over(job.recycle_mb)
    return outcomes, batch.history_rows


def recycle_if_over(limit_mb: int) -> bool:
    """On a Dask worker whose memory is above ``limit_mb`` MiB: stop it taking tasks now and,
    once the running task has returned, retire it (the scheduler copies its results to
    another worker first) and close it, so its nanny starts a fresh process. Called at the
    end of a task, from the task's thread. Returns whether the worker will be recycled."""
    import psutil
    from distributed import get_worker
    from distributed.core import Status

    if limit_mb <= 0 or psutil.Process().memory_info().rss < limit_mb * 2**20:
        return False
    try:
        worker = get_worker()
    except ValueError:  # not on a worker (a test calling render_shard itself)
        return False
    key = worker.get_current_task()
    if worker.nanny is None:  # nothing would start it again
        return False

    async def recycle() -> None:
        # paused by Dask (memory above its pause threshold): recycled all the more
        if worker.status not in (Status.running, Status.paused):
            return  # closing already
        # before this task's result is in: no queued task starts here (the scheduler
        # sends them elsewhere), and closing never interrupts a report
        worker.status = Status.closing_gracefully
        # the client takes the result and lets go of it: then there is nothing to hand over
        # (with no other worker to take it, it would be computed again); after 30 s the
        # scheduler copies it to another worker
        try:
            deadline = time.monotonic() + 30
            while key in worker.state.tasks and time.monotonic() < deadline:
                await asyncio.sleep(0.01)
            await worker.scheduler.retire_workers(
                workers=[worker.address], close_workers=False, remove=True,
                stimulus_id=f"analytics-recycle-{time.time()}")
        finally:
            # whatever the retiring did, the worker closes: left 'closing gracefully' it
            # would take no task ever again. nanny=False: the nanny stays and starts a new
            # worker process, as for --lifetime
            await worker.close(nanny=False, reason="analytics: worker memory above "
                                                   f"{limit_mb} MiB, recycled")

    worker.loop.add_callback(recycle)
    return True


def task_size(left: int, workers: int, largest: int) -> int:
    """Guided self-scheduling: the next task takes a share of the businesses still to plan
    (``left``; half of them spread over the workers), at most ``largest``, at least one. So
    tasks get smaller towards the end and the workers finish at nearly the same time (Dask
    starts tasks in the order they were submitted)."""
    return max(1, min(largest, left, math.ceil(left / (2 * max(1, workers)))))


def plan_shards(published: Path, business_ids: Sequence[str] | None, period: Period,
                as_of: date, options: RenderOptions, limit: int,
                workers: int = 1) -> list[ShardJob]:
    """The jobs of the shards holding any of ``business_ids`` (all when None), to be
    submitted in this order: cut by :func:`task_size` for ``workers`` workers."""
    from analytics.warehouse.published import load_manifest

    manifest = load_manifest(published)
    known = {b for ids in manifest.parts.values() for b in ids}
    if business_ids is not None:
        missing = sorted(set(business_ids) - known)
        if missing:
            raise AnalyticsError(f"unknown business {', '.join(map(repr, missing))} in the "
                                 f"published warehouse {published}")
    wanted = known if business_ids is None else set(business_ids)
    shared = code_fingerprint() + templates_fingerprint(options.templates)
    jobs = []
    shards = [(shard, sorted(b for b in ids if b in wanted))
              for shard, ids in sorted(manifest.parts.items())]
    # a big shard is cut into several tasks reading the same files, so every worker has
    # work (7 shards of 1,000 businesses would keep 7 workers busy, not 64) and a dead
    # worker costs at most one task's reports; the sizes run over the whole batch, a task
    # never crossing a shard (it reads that shard's files only)
    left = sum(len(ids) for _, ids in shards)
    for shard, mine in shards:
        start = 0
        while start < len(mine):
            size = min(task_size(left, workers, config.CLUSTER_TASK_BUSINESSES),
                       len(mine) - start)
            jobs.append(ShardJob(shard, manifest.shard_folder(shard).resolve(),
                                 tuple(mine[start:start + size]), period, as_of, limit,
                                 shared, options, manifest.warehouse,
                                 config.CLUSTER_WORKER_RECYCLE_MB))
            start += size
            left -= size
    return jobs


def run_cluster_batch(
    address: str,
    published: Path,
    business_ids: Sequence[str] | None,
    period: Period,
    as_of: date,
    options: RenderOptions,
    *,
    limit: int = config.CONTENT_LIMIT_DEFAULT,
    on_outcome: Callable[[Outcome], None] | None = None,
    on_start: Callable[[int], None] | None = None,
) -> BatchResult:
    """Write the reports of ``business_ids`` on the Dask scheduler at ``address``, from the
    published copy in ``published``; the same result as :func:`run_batch`."""
    from distributed import Client, as_completed

    started = time.perf_counter()
    check_formats(options.formats)
    out = options.out if remote.is_url(options.out) else Path(options.out).resolve()
    options = RenderOptions(out, options.formats,
                            options.templates and Path(options.templates).resolve(),
                            options.brands_dir and Path(options.brands_dir).resolve(),
                            options.force, run=uuid.uuid4().hex,
                            pdf_engine=options.pdf_engine)
    outcomes: dict[str, Outcome] = {}
    seconds: dict[str, float] = {}
    history: dict[int, list[Any]] = {}  # per job: a retried job's rows are kept once
    try:
        client = Client(address, timeout=config.CLUSTER_CONNECT_TIMEOUT)
    except OSError as exc:
        raise AnalyticsError(f"cannot reach the Dask scheduler at {address}: {exc}") from exc
    with client:
        # the task sizes follow the worker threads there now (one, if none has joined yet)
        jobs = plan_shards(published, business_ids, period, as_of, options, limit,
                           workers=sum(client.nthreads().values()))
        if on_start:
            on_start(sum(len(j.business_ids) for j in jobs))
        futures = {client.submit(render_shard, job, key=f"analytics-shard-{job.shard}-{n}-"
                                 f"{period.label}-{time.time_ns()}", retries=TASK_RETRIES,
                                 pure=False): (n, job) for n, job in enumerate(jobs)}
        for future in as_completed(futures):
            n, job = futures.pop(future)
            try:
                results, history[n] = future.result()
                # let go of it: a worker being recycled need not hand it to another first
                future.release()
            except Exception as exc:  # noqa: BLE001 - the whole shard failed, after retries
                # the exception may echo the --out URL and its password
                reason = remote.shown(options.out,
                                      f"its shard's task failed: {type(exc).__name__}: {exc}")
                results = [Outcome(b, "failed", error=reason) for b in job.business_ids]
            for outcome in results:
                # each business is in one task, whose result arrives once; kept as a guard
                earlier = outcomes.get(outcome.business_id)
                if earlier is not None and earlier.status == "written":
                    continue
                outcomes[outcome.business_id] = outcome
                for stage, value in outcome.seconds.items():
                    seconds[stage] = seconds.get(stage, 0.0) + value
                if on_outcome and earlier is None:
                    on_outcome(outcome)
    index = write_index(options.out, options.templates) if outcomes else None
    return BatchResult(period, as_of, sorted(outcomes.values(), key=lambda o: o.business_id),
                       index, seconds, time.perf_counter() - started,
                       history_rows=[t for n in sorted(history) for t in history[n]])
