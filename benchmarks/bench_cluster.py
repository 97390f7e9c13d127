"""Benchmark: the report batch on one machine against ``--cluster`` on a Dask LocalCluster.

1. Reports per second (HTML, PDF and JSON, every report rendered: ``force``) for the businesses
   of a demo warehouse: the single-machine path (the fork-server pool, ``--jobs 2``), then the
   cluster path on a LocalCluster of 1 and of 2 worker processes (one thread each). Prints the
   scaling efficiency (2 workers against 1) and the overhead of the cluster path over the
   local one (target: under 15 %). A cluster run's wall time is its workers' cold start (a
   LocalCluster started, the rendering stack imported and warmed up in each worker) plus the
   batch, until every report is written and the index too; closing the LocalCluster
   afterwards (a few seconds, no user waits for it: a real cluster stays up) is printed apart
   (the figures of 30 Nov 2026 before issue 15's tuning counted it). Also per cluster run:
   the worker processes used (more than the workers when some were recycled, see
   ``config.CLUSTER_WORKER_RECYCLE_MB``) and the largest peak memory of one.
2. ``analytics publish`` of a warehouse: full (into an empty folder), then incremental
   (nothing changed: every shard found unchanged).

Defaults keep it to about a minute on a shared 2-core machine; the issue's figures use
``--businesses 200 --publish-businesses 1000``. Besides wall time it prints the workers'
CPU-seconds per report, which a busy machine does not stretch.

Usage: python benchmarks/bench_cluster.py [--businesses 20] [--publish-businesses N]
                                        [--rounds R]
"""

from __future__ import annotations

import argparse
import dataclasses
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from analytics import warehouse  # noqa: E402
from analytics.ingest import demo  # noqa: E402
from analytics.metrics.period import Period  # noqa: E402
from analytics.render.batch import RenderOptions, run_batch  # noqa: E402
from analytics.render.cluster import run_cluster_batch  # noqa: E402
from analytics.warehouse.published import publish  # noqa: E402

AS_OF = date(2026, 11, 23)
PERIOD = Period.parse("2026-W47")
OUT = ROOT / "benchmarks" / "out"
FORMATS = ("html", "pdf", "json")


def line(text: str = "") -> None:
    print(text, flush=True)


def demo_warehouse(businesses: int) -> Path:
    # the same warehouses bench_reports.py and bench_render.py build, when they exist
    for name in (f"bench-{businesses}.duckdb", f"render-{businesses}.duckdb"):
        if (OUT / name).exists():
            return OUT / name
    path = OUT / f"render-{businesses}.duckdb"
    demo.generate(path, businesses=businesses, seed=42, as_of=AS_OF)
    return path


def single(db: Path, out: Path) -> tuple[float, float]:
    con = warehouse.connect_for_batch(db)
    try:
        started = time.perf_counter()
        result = run_batch(con, None, PERIOD, AS_OF, RenderOptions(out=out, formats=FORMATS,
                                                                  force=True), jobs=2)
    finally:
        con.close()
    assert not result.with_status("failed"), result.with_status("failed")[:3]
    return time.perf_counter() - started, _cpu(result)


def _cpu(result) -> float:
    """CPU-seconds per report in the workers: unlike wall time, not stretched when other
    processes compete for the cores."""
    return sum(o.cpu_seconds for o in result.outcomes) / max(1, len(result.outcomes))


@dataclasses.dataclass
class ClusterRun:
    wall: float  # the workers' start and the batch
    cpu: float  # CPU-seconds per report
    start: float  # until every worker had joined, warm
    close: float  # closing the LocalCluster, after the batch
    processes: int  # worker processes that rendered (recycled ones count again)
    peak_mib: float  # the largest peak memory of one
    tail: float  # from the first worker to run out of tasks to the last task's end


def on_cluster(published: Path, out: Path, workers: int) -> ClusterRun:
    from distributed import Client, LocalCluster, get_task_stream

    started = time.perf_counter()
    # workers as the README starts them: one thread, the rendering stack preloaded
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                      host="127.0.0.1", dashboard_address=None,
                      preload=["analytics.render.preload"]) as cluster, \
            Client(cluster.scheduler_address) as client:
        client.wait_for_workers(workers)
        up = time.perf_counter() - started
        with get_task_stream(client) as stream:
            result = run_cluster_batch(cluster.scheduler_address, published, None, PERIOD,
                                       AS_OF, RenderOptions(out=out, formats=FORMATS,
                                                            force=True))
        done = time.perf_counter() - started
    assert not result.with_status("failed"), result.with_status("failed")[:3]
    peaks = result.peak_rss_per_worker
    return ClusterRun(done, _cpu(result), up, time.perf_counter() - started - done, len(peaks),
                      max(peaks.values(), default=0.0), _tail(stream.data))


def _tail(tasks: list[dict]) -> float:
    """How long the last task ran on after the first worker had nothing left: the imbalance
    at the end of the batch, which a busy machine stretches less than the batch's wall."""
    last_end: dict[str, float] = {}
    for task in tasks:
        for part in task["startstops"]:
            if part["action"] == "compute":
                last_end[task["worker"]] = max(last_end.get(task["worker"], 0.0), part["stop"])
    return max(last_end.values()) - min(last_end.values()) if len(last_end) > 1 else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--businesses", type=int, default=20)
    parser.add_argument("--publish-businesses", type=int, default=None,
                        help="warehouse size for the publish timing (default: --businesses)")
    parser.add_argument("--skip-batches", action="store_true")
    parser.add_argument("--rounds", type=int, default=1,
                        help="run the one-machine path and the 2-worker cluster this many "
                             "times, alternating, and compare medians (a shared machine's "
                             "noise then falls on both sides alike)")
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="bench-cluster-", dir=OUT))
    try:
        if not args.skip_batches:
            n = args.businesses
            db = demo_warehouse(n)
            published = scratch / "published"
            con = warehouse.connect(db, read_only=True)
            try:
                # several shards a worker, so two workers share the work evenly
                publish(con, published, shard_size=max(1, n // 8))
            finally:
                con.close()
            line(f"report batches — {n} businesses, HTML + PDF ({RenderOptions().pdf_engine}) + "
                 "JSON, every report rendered")
            line(f"  {'path':<40}{'wall s':>9}{'reports/s':>11}{'CPU s/report':>14}"
                 f"{'start s':>9}{'tail s':>8}{'close s':>9}{'processes':>11}"
                 f"{'peak MiB':>10}")
            locals_, runs = [], {1: [], 2: []}

            def show(label: str, run: ClusterRun) -> None:
                line(f"  {label:<40}{run.wall:>9.1f}{n / run.wall:>11.2f}{run.cpu:>14.2f}"
                     f"{run.start:>9.1f}{run.tail:>8.1f}{run.close:>9.1f}{run.processes:>11}"
                     f"{run.peak_mib:>10.0f}")

            for round_ in range(args.rounds):  # alternating: one machine, then 2 workers
                local, cpu = single(db, scratch / f"single{round_}")
                locals_.append(local)
                line(f"  {'single machine (pool, --jobs 2)':<40}{local:>9.1f}"
                     f"{n / local:>11.2f}{cpu:>14.2f}")
                for workers in ((1, 2) if round_ == 0 else (2,)):
                    run = on_cluster(published, scratch / f"cluster{workers}-{round_}", workers)
                    runs[workers].append(run)
                    show(f"--cluster, LocalCluster of {workers}", run)
            local = statistics.median(locals_)
            two = statistics.median(r.wall for r in runs[2])
            warm = statistics.median(r.wall - r.start for r in runs[2])
            medians = f" (medians of {args.rounds} rounds)" if args.rounds > 1 else ""
            line(f"  scaling 1 → 2 workers: {runs[1][0].wall / two:.2f}× "
                 f"(efficiency {runs[1][0].wall / two / 2:.0%}); cluster overhead over the "
                 f"local path{medians}:"
                 f" {two / local - 1:+.0%} with the workers' start, {warm / local - 1:+.0%} on "
                 "workers already running (as `analytics report --cluster` meets them); "
                 "target < 15 %")
        args.publish_businesses = args.publish_businesses or args.businesses
        db = demo_warehouse(args.publish_businesses)
        con = warehouse.connect(db, read_only=True)
        try:
            folder = scratch / "publish"
            full = publish(con, folder)
            again = publish(con, folder)
        finally:
            con.close()
        size = sum(p.stat().st_size for p in folder.rglob("*.parquet")) / 2**20
        line(f"publish — {args.publish_businesses} businesses, {full.shards} shards, "
             f"{size:.0f} MiB of Parquet")
        line(f"  full: {full.seconds:.1f} s; incremental (nothing changed, "
             f"{len(again.unchanged)} shards unchanged): {again.seconds:.1f} s")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
