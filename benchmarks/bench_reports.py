"""Benchmark: every business's report model from a large warehouse, against DuckDB's floor.

Builds (or reuses) a 1,000-business demo warehouse (about 9 million observation rows), then, in
fresh processes so each peak memory is its own:

* the floor: a bare scan-and-aggregate of ``content_metrics`` (what DuckDB needs just to read
  every observation once), best of three;
* the batch: all report models (``ReportBatch``), serialised to JSON, shard by shard on the
  batch's connection (``connect_for_batch``: one DuckDB thread, memory capped) — and, for the
  main-process peak memory before sharding, from one snapshot on DuckDB's defaults;
* the naive way, for comparison: one ``build_report`` per business (a snapshot each), timed on a
  sample and extrapolated.

Target (issue 2): all report models in under 2 × floor + 10 s.

Run: ``make bench`` or ``python benchmarks/bench_reports.py [--businesses N] [--rebuild]``.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"
AS_OF = date(2026, 11, 23)
PERIOD = "2026-W47"


def build_warehouse(path: Path, businesses: int, rebuild: bool) -> float:
    from analytics.ingest import demo

    marker = path.with_suffix(".json")
    wanted = {"businesses": businesses, "as_of": AS_OF.isoformat(), "seed": 42}
    if path.exists() and not rebuild and marker.exists() and json.loads(marker.read_text()) \
            == wanted:
        return 0.0
    start = time.perf_counter()
    demo.generate(path, businesses=businesses, seed=42, as_of=AS_OF, force=True)
    marker.write_text(json.dumps(wanted))
    return time.perf_counter() - start


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(kind: str, db: str, sample: int) -> dict:
    """Run in a child process: one measurement, with its own peak memory."""
    from analytics import config, report, warehouse

    if kind == "batch":
        con = warehouse.connect_for_batch(db)
    else:
        con = warehouse.connect(db, read_only=True)
    result: dict = {}
    if kind == "floor":
        times = []
        for _ in range(3):
            start = time.perf_counter()
            con.execute(
                "SELECT platform, content_id, max(observed_on), sum(views), sum(reach), "
                "sum(likes + shares + comments), sum(clicks) FROM content_metrics GROUP BY ALL"
            ).fetchall()
            times.append(time.perf_counter() - start)
        result["seconds"] = min(times)
        result["rows"] = con.execute("SELECT count(*) FROM content_metrics").fetchone()[0]
    elif kind in ("batch", "unsharded"):
        start = time.perf_counter()
        count = size = 0
        shard_size = 10**9 if kind == "unsharded" else config.SHARD_BUSINESSES
        for _, built in report.ReportBatch(con, None, PERIOD, AS_OF, shard_size=shard_size):
            if isinstance(built, Exception):
                raise built
            size += len(built.to_json())
            count += 1
        result |= {"seconds": time.perf_counter() - start, "reports": count, "bytes": size}
    elif kind == "naive":
        ids = [r[0] for r in con.execute(
            "SELECT business_id FROM businesses ORDER BY 1 LIMIT ?", [sample]).fetchall()]
        total = con.execute("SELECT count(*) FROM businesses").fetchone()[0]
        start = time.perf_counter()
        for business_id in ids:
            report.build_report(con, business_id, PERIOD, AS_OF).to_json()
        seconds = time.perf_counter() - start
        result |= {"seconds": seconds * total / len(ids), "sampled": len(ids)}
    result["peak_mib"] = _peak_mib()
    return result


def child(kind: str, db: Path, sample: int = 0) -> dict:
    output = subprocess.run(
        [sys.executable, __file__, "--measure", kind, "--db", str(db), "--sample", str(sample)],
        check=True, capture_output=True, text=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--businesses", type=int, default=1000)
    parser.add_argument("--rebuild", action="store_true", help="rebuild the warehouse")
    parser.add_argument("--sample", type=int, default=40,
                        help="businesses timed one by one for the naive comparison")
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, args.db, args.sample)))
        return

    OUT.mkdir(exist_ok=True)
    db = OUT / f"bench-{args.businesses}.duckdb"
    built = build_warehouse(db, args.businesses, args.rebuild)
    floor = child("floor", db)
    batch = child("batch", db)
    unsharded = child("unsharded", db)
    naive = child("naive", db, args.sample)
    target = 2 * floor["seconds"] + 10
    print(f"report models — {args.businesses:,} businesses, {floor['rows']:,} observation rows"
          + (f" (warehouse built in {built:.1f} s)" if built else " (warehouse reused)"))
    print(f"  {'what':<44}{'wall s':>9}{'peak MiB':>10}{'× floor':>9}")
    rows = [
        ("DuckDB floor: bare scan-and-aggregate", floor),
        (f"batch: {batch['reports']:,} models + JSON, sharded", batch),
        ("before: one snapshot, DuckDB defaults", unsharded),
        (f"naive: one snapshot per business (~{naive['sampled']} timed)", naive),
    ]
    for label, m in rows:
        print(f"  {label:<44}{m['seconds']:>9.2f}{m['peak_mib']:>10.0f}"
              f"{m['seconds'] / floor['seconds']:>9.1f}")
    print(f"  JSON written: {batch['bytes'] / batch['reports'] / 1024:.1f} KiB per report; "
          f"batch is {naive['seconds'] / batch['seconds']:.1f}× faster than the naive loop")
    print(f"  main-process peak memory: {batch['peak_mib']:.0f} MiB sharded against "
          f"{unsharded['peak_mib']:.0f} MiB before (target < 400); time "
          f"{batch['seconds'] / unsharded['seconds'] - 1:+.0%}")
    verdict = "met" if batch["seconds"] <= target else "MISSED"
    print(f"  target: batch ≤ 2 × floor + 10 s = {target:.1f} s — {verdict} "
          f"({batch['seconds']:.1f} s)")


if __name__ == "__main__":
    main()
