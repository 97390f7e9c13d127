"""Benchmark: ``analytics serve`` under a bounded load on loopback.

Builds (or reuses) the 1,000-business demo warehouse of ``bench_reports.py``, grants one token
for every business, starts ``analytics serve`` as a child process on a free loopback port and
waits for its warm-up (every business's last-30-days report, built in one batch). Then:

* **overview under load**: ``--clients`` concurrent clients (default 50), each asking
  ``/api/v1/analytics/overview/<random business>?days=30`` in a loop for ``--seconds``
  (default 15); prints p50/p95/p99 latency, requests per second and errors (target: p95
  under 100 ms, no error);
* **all five endpoints** the same way for a few seconds (``content``, ``platforms``,
  ``trends``, ``insights`` ask other periods too: their models are built on request);
* **cold**: one client asking 15 businesses for a period nobody asked before (``days=14``):
  the cost of building a model on request.

Run: ``make bench`` or ``python benchmarks/bench_api.py [--businesses N] [--clients N]
[--seconds S]``; a quick run: ``--businesses 50 --seconds 5``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_reports import OUT, build_warehouse  # noqa: E402


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def grant_all(db: Path) -> tuple[str, list[str]]:
    from analytics import access, warehouse
    from analytics.warehouse.businesses import list_businesses

    con = warehouse.connect(db)
    try:
        ids = [b.business_id for b in list_businesses(con)]
        token, _ = access.grant(con, ids, "bench_api")
    finally:
        con.close()
    return token, ids


async def load(url: str, token: str, paths: list[str], clients: int, seconds: float
               ) -> tuple[list[float], int, int, float]:
    """``clients`` keep-alive connections, each asking random ``paths`` in a loop for
    ``seconds``: latencies (s), errors, requests, elapsed.

    A deliberately small HTTP/1.1 client (request line, headers, Content-Length body): the
    load generator shares the two cores with the server, and a full client library would
    spend more of them than the server does.
    """
    host, port = url.removeprefix("http://").split(":")
    latencies: list[float] = []
    errors = 0
    stop_at = time.perf_counter() + seconds

    async def one_client(seed: int) -> None:
        nonlocal errors
        rng = random.Random(seed)
        reader, writer = await asyncio.open_connection(host, int(port))
        sock = writer.get_extra_info("socket")
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            while time.perf_counter() < stop_at:
                started = time.perf_counter()
                writer.write(f"GET {rng.choice(paths)} HTTP/1.1\r\nHost: {host}\r\n"
                             f"Authorization: Bearer {token}\r\n\r\n".encode())
                head = await reader.readuntil(b"\r\n\r\n")
                length = int(re.search(rb"(?i)content-length: *(\d+)", head)[1])
                await reader.readexactly(length)
                latencies.append(time.perf_counter() - started)
                errors += not head.startswith(b"HTTP/1.1 200")
        finally:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(one_client(i) for i in range(clients)))
    return latencies, errors, len(latencies), time.perf_counter() - started


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(name: str, server: subprocess.Popen, run: object) -> None:
    """Run a load and print latency percentiles, throughput, errors, and the server's CPU
    per request (unlike latency, not inflated when other processes share the cores)."""
    cpu = cpu_seconds(server.pid)
    latencies, errors, count, elapsed = asyncio.run(run)
    cpu = cpu_seconds(server.pid) - cpu
    ms = [x * 1000 for x in latencies]
    print(f"{name:<26} {count:>6} req {count / elapsed:>5.0f} req/s  "
          f"p50 {percentile(ms, 50):5.1f}  p95 {percentile(ms, 95):5.1f}  "
          f"p99 {percentile(ms, 99):5.1f} ms  errors {errors}  "
          f"server CPU {cpu / max(count, 1) * 1000:.2f} ms/req")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--businesses", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=15.0)
    args = parser.parse_args()

    OUT.mkdir(exist_ok=True)
    db = OUT / f"bench-{args.businesses}.duckdb"
    built = build_warehouse(db, args.businesses, rebuild=False)
    token, ids = grant_all(db)
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"warehouse: {db} ({args.businesses} businesses, {db.stat().st_size / 2**20:.0f} MiB"
          f"{f', built in {built:.0f} s' if built else ''})")

    port = free_port()
    log = OUT / "bench_api-serve.log"
    env = os.environ | {"PYTHONPATH": str(HERE.parent)}
    with open(log, "wb") as handle:
        server = subprocess.Popen(
            [sys.executable, "-m", "analytics", "serve", "--db", str(db), "--port", str(port)],
            stdout=handle, stderr=subprocess.STDOUT, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        started = time.perf_counter()
        while not re.search(r"warmed (\d+) reports in ([\d.]+) s", log.read_text()):
            if server.poll() is not None or time.perf_counter() - started > 600:
                raise SystemExit(f"server did not warm up:\n{log.read_text()[-2000:]}")
            time.sleep(0.5)
        warmed = re.search(r"warmed (\d+) reports in ([\d.]+) s", log.read_text())
        print(f"server up and warm in {time.perf_counter() - started:.1f} s "
              f"({warmed[1]} reports in {warmed[2]} s, one batch)")

        overview = [f"/api/v1/analytics/overview/{b}?days=30" for b in ids]
        measure(f"overview, {args.clients} clients", server,
                load(url, token, overview, args.clients, args.seconds))
        mixed = [f"/api/v1/analytics/{e}/{b}?days=30" for b in ids[:50]
                 for e in ("overview", "content", "platforms", "trends")]
        mixed += [f"/api/v1/analytics/insights/{b}" for b in ids[:50]]
        measure(f"5 endpoints, {args.clients} clients", server,
                load(url, token, mixed, args.clients, max(args.seconds / 3, 3)))
        cold: list[float] = []
        with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"},
                          timeout=60) as client:
            for business in random.Random(1).sample(ids, min(15, len(ids))):
                begun = time.perf_counter()
                assert client.get(f"/api/v1/analytics/overview/{business}?days=14"
                                  ).status_code == 200
                cold.append(time.perf_counter() - begun)
        print(f"{'cold model (days=14)':<26} {len(cold):>6} req  "
              f"median {statistics.median(cold) * 1000:.0f} ms  max {max(cold) * 1000:.0f} ms")
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()


if __name__ == "__main__":
    main()
