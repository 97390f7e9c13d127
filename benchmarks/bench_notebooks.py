"""Benchmark: the business report notebook for many businesses, warm kernels against cold.

On the 1,000-business benchmark warehouse (built by bench_reports.py, or here if missing):

* cold: ``papermill.execute_notebook`` per business, a fresh kernel each time (the plain way);
* warm: ``analytics notebook``'s runner with 1 and 2 workers, each keeping one kernel warm.

Prints seconds per business; the steady state leaves out each worker's first notebook, which
pays for the kernel start and the imports. Target (issue 3): ≤ 3 s per business, steady state.

Run: ``make bench`` or ``python benchmarks/bench_notebooks.py [--notebooks N]``.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from bench_reports import AS_OF, OUT, PERIOD, build_warehouse

from analytics import notebooks as notebook
from analytics import warehouse
from analytics.metrics.period import Period
from analytics.warehouse.businesses import list_businesses


def cold(ids: list[str], db: Path, out: Path) -> float:
    import papermill

    notebook.ensure_kernel()
    out.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    for business_id in ids:
        papermill.execute_notebook(
            str(notebook.TEMPLATE), str(out / f"{business_id}.ipynb"),
            parameters={"business_id": business_id, "period": PERIOD,
                        "as_of": AS_OF.isoformat(), "db": str(db)},
            kernel_name=notebook.KERNEL_NAME, progress_bar=False,
        )
    return (time.perf_counter() - start) / len(ids)


def warm(ids: list[str], db: Path, out: Path, workers: int) -> tuple[float, float]:
    jobs = notebook.plan(ids, Period.parse(PERIOD), AS_OF, db, out)
    start = time.perf_counter()
    results = notebook.run_notebooks(jobs, workers=workers)
    wall = time.perf_counter() - start
    failed = [r for r in results if not r.ok]
    if failed:
        raise SystemExit(f"{len(failed)} notebooks failed, e.g. {failed[0].error}")
    # steady state: leave out the first notebook of each worker (kernel start, imports)
    per_run = sorted(r.seconds for r in results)
    steady = sum(per_run[: len(per_run) - workers]) / (len(per_run) - workers) / workers
    return wall / len(ids), steady


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notebooks", type=int, default=24, help="businesses per warm run")
    parser.add_argument("--cold", type=int, default=3, help="businesses run the plain way")
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    db = OUT / "bench-1000.duckdb"
    build_warehouse(db, 1000, rebuild=False)
    con = warehouse.connect(db, read_only=True)
    ids = [b.business_id for b in list_businesses(con)][: args.notebooks]
    con.close()
    with tempfile.TemporaryDirectory() as tmp:
        cold_each = cold(ids[: args.cold], db, Path(tmp) / "cold")
        warm1 = warm(ids, db, Path(tmp) / "warm1", 1)
        warm2 = warm(ids, db, Path(tmp) / "warm2", 2)
    print(f"notebooks — business_report.ipynb, {PERIOD}, 1,000-business warehouse")
    print(f"  {'how':<40}{'s / business':>14}{'steady state':>14}")
    print(f"  {'cold: papermill, new kernel each':<40}{cold_each:>14.2f}{cold_each:>14.2f}")
    print(f"  {'warm kernel, 1 worker':<40}{warm1[0]:>14.2f}{warm1[1]:>14.2f}")
    print(f"  {'warm kernels, 2 workers':<40}{warm2[0]:>14.2f}{warm2[1]:>14.2f}")
    verdict = "met" if warm2[1] <= 3.0 else "MISSED"
    print(f"  target ≤ 3 s per business in steady state — {verdict}; warm (2 workers) is "
          f"{cold_each / warm2[1]:.1f}× the plain way")


if __name__ == "__main__":
    main()
