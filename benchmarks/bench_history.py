"""Benchmark: what history and audience cost a batch of reports, and how fast
``analytics history`` answers for one business.

On a demo warehouse of N businesses (the 1,000 of ``bench_reports.py`` by default, reused from
``benchmarks/out/`` when built), in fresh processes, interleaved so a busy machine's noise
falls on both alike (best of ``--rounds``):

* before: every report model + JSON with no history (``ReportBatch(history=0)``: the batch as
  it was before issue 12);
* after: the same with the 12-period history and audience, and the history rows upserted into
  ``business_metrics`` (what ``analytics report --all`` now does);
* ``analytics history`` for a few businesses: recomputing (stale) and reading stored rows.

Targets (issue 12): after ≤ 1.10 × before; ``analytics history`` under a second.

Run: ``python benchmarks/bench_history.py [--businesses N] [--rounds R]`` (``--businesses
200`` runs in about a minute).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_reports import AS_OF, OUT, PERIOD, build_warehouse  # noqa: E402

SAMPLE = ("northwind-coffee", "harbour-yoga", "lumen-books", "alpine-outfitters", "kiku-ramen")


def measure(kind: str, db: str) -> dict:
    """Run in a child process: one measurement."""
    from analytics import warehouse
    from analytics.metrics.history import history_of, store
    from analytics.metrics.period import Period
    from analytics.report import ReportBatch

    result: dict = {}
    if kind in ("before", "after"):
        con = warehouse.connect(db)
        start, cpu = time.perf_counter(), time.process_time()
        batch = ReportBatch(con, None, PERIOD, AS_OF, history=0 if kind == "before" else 12)
        for _, built in batch:
            if isinstance(built, Exception):
                raise built
            built.to_json()
        if kind == "after":
            result["rows"] = store(con, batch.history_rows)
        result["seconds"] = time.perf_counter() - start
        # CPU seconds of every thread of this process: what other processes on a shared
        # machine do not stretch (wall time is printed too)
        result["cpu"] = time.process_time() - cpu
        con.close()
    elif kind == "history":
        con = warehouse.connect(db)
        last = Period.parse(PERIOD)
        con.execute("DELETE FROM business_metrics WHERE list_contains(?, business_id)",
                    [list(SAMPLE)])
        recomputed, stored = [], []
        for business_id in SAMPLE:
            start = time.perf_counter()
            assert history_of(con, business_id, last, 12, AS_OF).recomputed
            recomputed.append(time.perf_counter() - start)
            start = time.perf_counter()
            assert not history_of(con, business_id, last, 12, AS_OF).recomputed
            stored.append(time.perf_counter() - start)
        result |= {"recomputed": max(recomputed), "stored": max(stored)}
        con.close()
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "analytics", "history", "--db", db, "--business",
                        SAMPLE[0], "--as-of", AS_OF.isoformat()], check=True,
                       capture_output=True)
        result["command"] = time.perf_counter() - start
    return result


def child(kind: str, db: Path) -> dict:
    output = subprocess.run([sys.executable, __file__, "--measure", kind, "--db", str(db)],
                            check=True, capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--businesses", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, args.db)))
        return
    OUT.mkdir(exist_ok=True)
    db = OUT / f"bench-{args.businesses}.duckdb"
    built = build_warehouse(db, args.businesses, rebuild=False)
    before, after = [], []
    rows = 0
    for round_ in range(args.rounds):  # alternate which goes first
        for kind in (("before", "after") if round_ % 2 == 0 else ("after", "before")):
            measured = child(kind, db)
            (before if kind == "before" else after).append(measured)
            rows = measured.get("rows", rows)
    history = child("history", db)
    cpu_before, cpu_after = (min(m["cpu"] for m in ms) for ms in (before, after))
    wall_before, wall_after = (min(m["seconds"] for m in ms) for ms in (before, after))
    ratio = cpu_after / cpu_before
    print(f"history and audience — {args.businesses:,} businesses"
          + (f" (warehouse built in {built:.1f} s)" if built else " (warehouse reused)"))
    print(f"  {'best of ' + str(args.rounds):<58}{'CPU s':>8}{'wall s':>9}")
    print(f"  {'report models + JSON, no history (before)':<58}{cpu_before:>8.2f}"
          f"{wall_before:>9.2f}")
    print(f"  {f'with history and audience, {rows:,} rows upserted (after)':<58}"
          f"{cpu_after:>8.2f}{wall_after:>9.2f}")
    print(f"  ratio (CPU) {ratio:.3f}, wall {wall_after / wall_before:.3f} — target ≤ 1.10: "
          f"{'met' if ratio <= 1.10 else 'MISSED'}")
    print(f"  analytics history, one business: recomputed {history['recomputed']:.3f} s, "
          f"stored {history['stored']:.3f} s (worst of {len(SAMPLE)}); the command "
          f"{history['command']:.2f} s wall — target < 1 s: "
          f"{'met' if history['recomputed'] < 1 else 'MISSED'}")


if __name__ == "__main__":
    main()
