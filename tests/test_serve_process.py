"""``analytics serve`` as a real process: ``ingest`` (another real process) runs to completion
while the server is answering requests, the server picks up the new data, and no token ever
reaches the server's log."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
from serve_helpers import AS_OF, BUSINESSES, POSTS, free_socket, grant

from conftest import POST_COLUMNS, post, write_csv

ROOT = Path(__file__).resolve().parent.parent


def start_server(db: Path, log: Path) -> tuple[subprocess.Popen, str]:
    sock = free_socket()
    port = sock.getsockname()[1]
    sock.close()  # the server binds it again at once; nothing else here wants a port
    env = os.environ | {"PYTHONPATH": str(ROOT)}
    handle = open(log, "wb")  # noqa: SIM115 - closed with the process below
    process = subprocess.Popen(
        [sys.executable, "-m", "analytics", "serve", "--db", str(db), "--port", str(port)],
        stdout=handle, stderr=subprocess.STDOUT, env=env, cwd=db.parent)
    handle.close()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        assert process.poll() is None, log.read_text()
        try:
            if httpx.get(url + "/docs", timeout=2).status_code == 200:
                return process, url
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.2)


def stop(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def test_ingest_completes_while_serve_answers(load, tmp_path: Path) -> None:
    load(BUSINESSES, POSTS).close()
    db = tmp_path / "warehouse.duckdb"
    token = grant(db, ["alpha"])
    log = tmp_path / "serve.log"
    process, url = start_server(db, log)
    statuses: list[int] = []
    stop_hammering = threading.Event()

    def hammer() -> None:
        with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"},
                          timeout=30) as client:
            while not stop_hammering.is_set():
                for endpoint in ("overview", "content", "trends"):
                    statuses.append(client.get(f"/api/v1/analytics/{endpoint}/alpha",
                                               params={"days": 7, "as_of": AS_OF}).status_code)

    clients = [threading.Thread(target=hammer) for _ in range(4)]
    try:
        for thread in clients:
            thread.start()
        time.sleep(1.0)
        before = len(statuses)
        new_posts = write_csv(tmp_path / "new" / "posts.csv", POST_COLUMNS, [
            post("alpha", "linkedin", f"n{i}", f"2026-11-2{5 + i % 3}T10:00:00Z", views=500,
                 likes=10, observed_on="2026-11-30") for i in range(20)])
        ingest = subprocess.run(
            [sys.executable, "-m", "analytics", "ingest", str(new_posts), "--db", str(db)],
            capture_output=True, text=True, timeout=300,
            env=os.environ | {"PYTHONPATH": str(ROOT)})
        assert ingest.returncode == 0, ingest.stdout + ingest.stderr
        assert ingest.stdout.splitlines()[1].split()[-5:] == ["20", "20", "0", "0", "0"]
        assert len(statuses) > before, "the server stopped answering during ingest"
        # the server takes a fresh copy once the writer is done: 3 + 20 posts
        deadline = time.monotonic() + 20
        while True:
            answer = httpx.get(f"{url}/api/v1/analytics/overview/alpha",
                               params={"days": 7, "as_of": AS_OF},
                               headers={"Authorization": f"Bearer {token}"}, timeout=30).json()
            if answer["total_posts"] == 23:
                break
            assert time.monotonic() < deadline, answer["total_posts"]
            time.sleep(0.3)
        # a portal link carries the token in its query string: it must not be logged
        assert httpx.get(f"{url}/portal", params={"token": token}).status_code == 303
    finally:
        stop_hammering.set()
        for thread in clients:
            thread.join(timeout=60)
        stop(process)
    assert statuses and set(statuses) == {200}, sorted(set(statuses))
    text = log.read_text()
    assert "GET /portal 303" in text and "GET /api/v1/analytics/overview/alpha 200" in text
    assert token not in text and token.split(".")[1] not in text
