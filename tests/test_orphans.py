"""kill -9 of a command that runs a worker pool leaves nothing behind (issue 10, item 3): the
workers, the fork server, the resource tracker and the notebook kernels all exit, and the
caller's pipe reaches its end (``analytics report --all | cat > log`` ends)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import DEMO_AS_OF


def descendants(root: int) -> set[int]:
    """Every living process under ``root`` (from /proc: parent pids)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            fields = stat[stat.rindex(")") + 2:].split()
            if fields[0] != "Z":
                parents[int(entry.name)] = int(fields[1])
    found, frontier = set(), {root}
    while frontier:
        frontier = {pid for pid, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return state[state.rindex(")") + 2] != "Z"


def run_and_kill(command: list[str], wanted: int, tmp_path: Path,
                 env: dict[str, str] | None = None) -> None:
    """Start ``command`` (stdout a pipe, as in ``| cat``), wait until it has ``wanted``
    processes under it, kill -9 it, then expect every one of them gone and the pipe at its
    end within 20 seconds."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path), **(env or {})}
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                               env=env, cwd=tmp_path)
    children: set[int] = set()
    try:
        deadline = time.monotonic() + 120
        while len(children) < wanted:
            assert process.poll() is None, "the command ended before it could be killed"
            assert time.monotonic() < deadline, f"only {children} started"
            time.sleep(0.2)
            children = descendants(process.pid)
        time.sleep(1.0)  # let the workers get going
        children = descendants(process.pid)
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        os.set_blocking(process.stdout.fileno(), False)
        deadline = time.monotonic() + 20
        eof = False
        while time.monotonic() < deadline and not (eof and not any(map(alive, children))):
            with contextlib.suppress(BlockingIOError, TypeError):
                eof = eof or process.stdout.read() == b""
            time.sleep(0.2)
        left = sorted(pid for pid in children if alive(pid))
        assert not left, [Path(f"/proc/{p}/cmdline").read_bytes()[:80] for p in left]
        assert eof, "the pipe never reached its end: someone still holds it"
    finally:  # whatever the outcome, this test leaves no process of its own behind
        for pid in {process.pid, *children, *descendants(process.pid)}:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


@pytest.mark.slow
def test_kill_9_of_report_leaves_no_worker_behind(demo_path: Path, tmp_path: Path) -> None:
    # fork server + resource tracker + 2 workers
    run_and_kill([sys.executable, "-m", "analytics", "report", "--all", "--jobs", "2",
                  "--force", "--db", str(demo_path), "--out", str(tmp_path / "out"),
                  "--as-of", DEMO_AS_OF.isoformat()], 4, tmp_path,
                 env={"SMTP_FROM": "reports@agency.example"})  # a dry run needs a sender


@pytest.mark.slow
def test_kill_9_of_notebook_leaves_no_worker_or_kernel_behind(demo_path: Path,
                                                               tmp_path: Path) -> None:
    # resource tracker + 2 spawned workers + their 2 kernels
    run_and_kill([sys.executable, "-m", "analytics", "notebook", "--all", "--jobs", "2",
                  "--db", str(demo_path), "--out", str(tmp_path / "out"),
                  "--as-of", DEMO_AS_OF.isoformat()], 5, tmp_path)


@pytest.mark.slow
def test_kill_9_of_send_leaves_no_worker_behind(demo_path: Path, tmp_path: Path) -> None:
    import shutil

    db = tmp_path / "w.duckdb"
    shutil.copy(demo_path, db)  # send writes its delivery log
    # the reports are missing: send renders them first, on a pool of 2 workers
    run_and_kill([sys.executable, "-m", "analytics", "send", "--all", "--dry-run", "--jobs", "2",
                  "--db", str(db), "--out", str(tmp_path / "out"), "--period", "2026-W47",
                  "--as-of", DEMO_AS_OF.isoformat()], 4, tmp_path,
                 env={"SMTP_FROM": "reports@agency.example"})  # a dry run needs a sender
