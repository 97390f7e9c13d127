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
  WeasyPrint are not thread-safe. WeasyPrint does not give memory back, so recycle workers
  with ``--lifetime`` (see README).
"""

from __future__ import annotations

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
    return outcomes, batch.history_rows


def plan_shards(published: Path, business_ids: Sequence[str] | None, period: Period,
                as_of: date, options: RenderOptions, limit: int) -> list[ShardJob]:
    """One job per shard holding any of ``business_ids`` (all when None)."""
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
    size = config.CLUSTER_TASK_BUSINESSES
    for shard, ids in sorted(manifest.parts.items()):
        mine = sorted(b for b in ids if b in wanted)
        # a big shard is cut into several tasks reading the same files, so every worker has
        # work (7 shards of 1,000 businesses would keep 7 workers busy, not 64) and a dead
        # worker costs at most one task's reports
        for start in range(0, len(mine), size):
            jobs.append(ShardJob(shard, manifest.shard_folder(shard).resolve(),
                                 tuple(mine[start:start + size]), period, as_of, limit,
                                 shared, options, manifest.warehouse))
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
    jobs = plan_shards(published, business_ids, period, as_of, options, limit)
    if on_start:
        on_start(sum(len(j.business_ids) for j in jobs))
    outcomes: dict[str, Outcome] = {}
    seconds: dict[str, float] = {}
    history: dict[int, list[Any]] = {}  # per job: a retried job's rows are kept once
    try:
        client = Client(address, timeout=config.CLUSTER_CONNECT_TIMEOUT)
    except OSError as exc:
        raise AnalyticsError(f"cannot reach the Dask scheduler at {address}: {exc}") from exc
    with client:
        futures = {client.submit(render_shard, job, key=f"analytics-shard-{job.shard}-{n}-"
                                 f"{period.label}-{time.time_ns()}", retries=TASK_RETRIES,
                                 pure=False): (n, job) for n, job in enumerate(jobs)}
        for future in as_completed(futures):
            n, job = futures[future]
            try:
                results, history[n] = future.result()
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
