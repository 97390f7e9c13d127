"""Benchmark: ingest a large canonical posts file (1 GB by default), as CSV and as Parquet.

Writes the files once under ``benchmarks/out/`` (reused on later runs), then runs
``analytics ingest`` on each in a child process against a fresh warehouse, twice: the first
time every row is new, the second every row is unchanged. Prints rows, wall time, rows per
second and the child's peak memory (its maximum resident set size).

Usage:  python benchmarks/bench_ingest.py [--size-mb 1024] [--out benchmarks/out]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[1]
BUSINESSES = 1000
OBSERVATIONS_PER_POST = 8

#: One canonical row per (post, weekly observation), 1,000 businesses over six platforms.
ROWS_SQL = """
SELECT
    'biz-' || lpad(CAST(p % $businesses AS VARCHAR), 4, '0') AS business_id,
    ['x', 'facebook', 'instagram', 'linkedin', 'tiktok', 'youtube'][1 + p % 6] AS platform,
    'post-' || CAST(p AS VARCHAR) AS content_id,
    ['image', 'video', 'text', 'reel', 'carousel', 'link'][1 + (p // 7) % 6] AS content_type,
    strftime(TIMESTAMP '2026-01-01' + to_minutes(CAST(p % 400000 AS BIGINT)),
             '%Y-%m-%dT%H:%M:00Z') AS published_at,
    'Post ' || CAST(p AS VARCHAR) || ', a title with a comma' AS title,
    'https://example.com/p/' || CAST(p AS VARCHAR) AS permalink,
    strftime(DATE '2026-12-01' + CAST(7 * k AS INTEGER), '%Y-%m-%d') AS observed_on,
    CAST(100 + (p * 7919) % 4900 + 40 * k AS VARCHAR) AS views,
    CASE WHEN p % 6 IN (0, 5) THEN NULL
         ELSE CAST(80 + (p * 7919) % 4000 + 30 * k AS VARCHAR) END AS reach,
    CAST((p * 31) % 300 + k AS VARCHAR) AS likes,
    CAST((p * 17) % 60 AS VARCHAR) AS shares,
    CAST((p * 13) % 120 AS VARCHAR) AS comments,
    CAST((p * 11) % 500 + k AS VARCHAR) AS clicks
FROM (SELECT i // $per_post AS p, i % $per_post AS k FROM range($rows) AS t(i))
"""


def write_inputs(out: Path, size_mb: int) -> tuple[Path, Path, Path, int]:
    """The businesses CSV and the posts CSV and Parquet of about ``size_mb`` MB (cached)."""
    out.mkdir(parents=True, exist_ok=True)
    csv_path, parquet_path = out / f"posts_{size_mb}mb.csv", out / f"posts_{size_mb}mb.parquet"
    businesses = out / "businesses.csv"
    con = duckdb.connect()
    params = {"businesses": BUSINESSES, "per_post": OBSERVATIONS_PER_POST}
    if not businesses.exists():
        con.execute(
            "COPY (SELECT 'biz-' || lpad(CAST(i AS VARCHAR), 4, '0') AS business_id, "
            "'Business ' || CAST(i AS VARCHAR) AS name, 'Europe/London' AS timezone, "
            "'' AS recipients FROM range($n) AS t(i)) TO $path (HEADER, DELIMITER ',')",
            {"n": BUSINESSES, "path": str(businesses)},
        )
    if not csv_path.exists():
        sample = out / "sample.csv"
        con.execute(f"COPY ({ROWS_SQL}) TO $path (HEADER, DELIMITER ',')",
                    {**params, "rows": 100_000, "path": str(sample)})
        per_row = sample.stat().st_size / 100_000
        sample.unlink()
        rows = int(size_mb * 1024 * 1024 / per_row)
        print(f"writing {csv_path} ({rows:,} rows)…", flush=True)
        con.execute(f"COPY ({ROWS_SQL}) TO $path (HEADER, DELIMITER ',')",
                    {**params, "rows": rows, "path": str(csv_path)})
    if not parquet_path.exists():
        print(f"writing {parquet_path}…", flush=True)
        con.execute("COPY (SELECT * FROM read_csv($csv, all_varchar = true)) TO $path "
                    "(FORMAT parquet)", {"csv": str(csv_path), "path": str(parquet_path)})
    rows = con.execute("SELECT count(*) FROM read_parquet(?)", [str(parquet_path)]).fetchone()[0]
    con.close()
    return businesses, csv_path, parquet_path, rows


def run_ingest(args: list[str]) -> tuple[float, float, str]:
    """Run ``analytics ingest`` in a child process: wall seconds, peak RSS in MB, its output."""
    start = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-m", "analytics", "ingest", *args],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=ROOT)
    output = child.stdout.read().decode() if child.stdout else ""
    _pid, status, usage = os.wait4(child.pid, 0)  # the child's own resource usage
    elapsed = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"analytics ingest {' '.join(args)} failed:\n{output}")
    return elapsed, usage.ru_maxrss / 1024, output  # ru_maxrss is in KiB on Linux


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=1024, help="size of the posts file")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "out")
    options = parser.parse_args()
    businesses, csv_path, parquet_path, rows = write_inputs(options.out, options.size_mb)
    print(f"{rows:,} rows; CSV {csv_path.stat().st_size / 2**20:,.0f} MiB, Parquet "
          f"{parquet_path.stat().st_size / 2**20:,.0f} MiB; {os.cpu_count()} cores")
    print(f"{'input':<9} {'run':<10} {'seconds':>8} {'rows/s':>11} {'peak MiB':>9}")
    for path in (csv_path, parquet_path):
        db = options.out / f"bench_{path.suffix[1:]}.duckdb"
        for stale in (db, db.with_name(db.name + ".wal")):
            stale.unlink(missing_ok=True)
        run_ingest([str(businesses), "--db", str(db)])
        for label in ("new", "unchanged"):
            elapsed, peak, output = run_ingest([str(path), "--db", str(db)])
            print(f"{path.suffix[1:]:<9} {label:<10} {elapsed:>8.1f} {rows / elapsed:>11,.0f} "
                  f"{peak:>9,.0f}", flush=True)
        db.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
