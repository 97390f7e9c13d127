"""`report --cluster`: one task per business shard on a real Dask cluster, the same reports as
the single-machine batch (report.json bytes, PDF text, index entries); a worker killed
mid-batch costs nothing; a real `dask scheduler` and two `dask worker` processes."""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from distributed import Client, LocalCluster
from pypdf import PdfReader

from analytics import warehouse
from analytics.metrics.period import Period
from analytics.render.batch import RenderOptions, run_batch
from analytics.render.cluster import run_cluster_batch
from analytics.render.index import index_entries
from analytics.report import ReportBatch
from analytics.warehouse.published import publish
from conftest import DEMO_AS_OF, DEMO_PERIOD

PERIOD = Period.parse(DEMO_PERIOD)
ALL = ("html", "pdf", "json")
QUICK = ("html", "json")  # PDFs cost a second each on a busy machine: one test checks them


def _single(demo_path: Path, out: Path, formats: tuple[str, ...]) -> None:
    con = warehouse.connect(demo_path, read_only=True)
    try:
        result = run_batch(con, None, PERIOD, DEMO_AS_OF, RenderOptions(out=out, formats=formats),
                           jobs=0)
    finally:
        con.close()
    assert {o.status for o in result.outcomes} == {"written"}


def _published(demo_path: Path, folder: Path) -> Path:
    con = warehouse.connect(demo_path, read_only=True)
    try:
        result = publish(con, folder, shard_size=2)  # 5 demo businesses: several shards
    finally:
        con.close()
    assert len(result.written) > 1
    return folder


def _history(tables: list) -> list[tuple]:
    rows = [tuple(r.values()) for t in tables for r in t.to_pylist()]
    return sorted(rows, key=repr)


def _jsons(out: Path) -> dict[str, bytes]:
    return {p.parent.parent.name: p.read_bytes() for p in out.glob("*/*/report.json")}


def _pdf_text(path: Path) -> str:
    text = "\n".join(page.extract_text() for page in PdfReader(path).pages)
    return re.sub(r"Generated [^\n]*", "Generated …", text)  # the one line that is the time


def _entries(out: Path) -> list[dict]:
    return [{k: v for k, v in e.items() if k != "generated_at"} for e in index_entries(out)]


@pytest.fixture(scope="module")
def single_run(demo_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("single")
    _single(demo_path, out, ALL)
    return out


@pytest.fixture
def cluster():
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as local:
        yield local


def test_local_cluster_writes_the_single_machine_reports(
        cluster, demo_path: Path, single_run: Path, tmp_path: Path) -> None:
    published = _published(demo_path, tmp_path / "published")
    out = tmp_path / "out"
    seen = []
    result = run_cluster_batch(cluster.scheduler_address, published, None, PERIOD, DEMO_AS_OF,
                               RenderOptions(out=out, formats=ALL), on_outcome=seen.append)
    assert [o.status for o in result.outcomes] == ["written"] * 5
    assert len(seen) == 5  # the progress bar saw every business once
    assert _jsons(out) == _jsons(single_run) and len(_jsons(out)) == 5
    for path in single_run.glob("*/*/report.pdf"):
        assert _pdf_text(out / path.relative_to(single_run)) == _pdf_text(path)
    assert _entries(out) == _entries(single_run)
    assert (out / "index.html").is_file()
    # the history rows the workers computed come back to be stored, as a local batch's do
    con = warehouse.connect(demo_path, read_only=True)
    try:
        local = ReportBatch(con, None, PERIOD, DEMO_AS_OF)
        list(local)
    finally:
        con.close()
    assert _history(result.history_rows) == _history(local.history_rows)
    assert len(_history(local.history_rows)) > 5 * 12  # every business, twelve periods
    # skip-if-unchanged works across runs, on the cluster as on one machine
    again = run_cluster_batch(cluster.scheduler_address, published, None, PERIOD, DEMO_AS_OF,
                              RenderOptions(out=out, formats=ALL))
    assert [o.status for o in again.outcomes] == ["skipped"] * 5


def test_a_worker_killed_mid_batch_costs_nothing(cluster, demo_path: Path,
                                                 tmp_path: Path) -> None:
    single = tmp_path / "single"
    _single(demo_path, single, QUICK)
    published = tmp_path / "published"
    con = warehouse.connect(demo_path, read_only=True)
    try:
        publish(con, published, shard_size=5)  # one task: the victim holds every report
    finally:
        con.close()
    out = tmp_path / "out"
    results = {}

    def batch() -> None:
        results["batch"] = run_cluster_batch(
            cluster.scheduler_address, published, None, PERIOD, DEMO_AS_OF,
            RenderOptions(out=out, formats=QUICK))

    with Client(cluster.scheduler_address) as client:
        pids = client.run(os.getpid)
        runner = threading.Thread(target=batch)
        runner.start()
        victim, done_before = None, {}
        deadline = time.monotonic() + 120
        while not done_before and time.monotonic() < deadline:
            busy = [w for w, keys in client.processing().items()
                    if any(str(k).startswith("analytics-shard") for k in keys)]
            # killed once it has finished a report or more, and before it finished them all
            done_before = {p.parent.parent.name: p.stat().st_mtime_ns
                           for p in out.glob("*/*/report.json")
                           if (p.parent / ".render.json").is_file()}
            victim = busy[0] if busy else victim
            time.sleep(0.02)
        assert victim is not None and done_before, "no report was ever written"
        os.kill(pids[victim], signal.SIGKILL)
        runner.join(timeout=300)
    assert not runner.is_alive()
    assert 0 < len(done_before) < 5  # the kill came mid-task
    outcomes = results["batch"].outcomes
    assert sorted(o.business_id for o in outcomes) == sorted(_jsons(single))  # each once
    # the summary counts each report once, as written by this run, though the retried task
    # found the dead attempt's reports already there (and did not write them again)
    statuses = [o.status for o in outcomes]
    assert (statuses.count("written"), statuses.count("skipped"), statuses.count("failed")
            ) == (5, 0, 0)
    assert all(o.files for o in outcomes)
    for business, mtime in done_before.items():
        assert (out / business / DEMO_PERIOD / "report.json").stat().st_mtime_ns == mtime
    assert _jsons(out) == _jsons(single)
    assert _entries(out) == _entries(single)
    # the next run, a new run id, finds every report current: skipped, all five
    again = run_cluster_batch(cluster.scheduler_address, published, None, PERIOD, DEMO_AS_OF,
                              RenderOptions(out=out, formats=QUICK))
    assert [o.status for o in again.outcomes] == ["skipped"] * 5


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_report_cli_on_a_real_scheduler_and_two_worker_processes(
        demo_path: Path, tmp_path: Path) -> None:
    single = tmp_path / "single"
    _single(demo_path, single, QUICK)
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    dask = str(Path(sys.executable).parent / "dask")
    env = os.environ | {"ANALYTICS_SHARD_BUSINESSES": "2"}
    logs = tmp_path / "logs"
    logs.mkdir()
    files = contextlib.ExitStack()
    processes = [subprocess.Popen(
        [dask, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
        stdout=subprocess.DEVNULL, env=env,
        stderr=files.enter_context(open(logs / "scheduler.log", "w")))]  # noqa: SIM115
    try:
        for n in range(2):
            processes.append(subprocess.Popen(
                [dask, "worker", address, "--host", "127.0.0.1", "--nthreads", "1",
                 "--no-dashboard", "--name", f"w{n}", "--preload", "analytics.render.preload",
                 "--lifetime", "10m", "--lifetime-restart"], stdout=subprocess.DEVNULL, env=env,
                stderr=files.enter_context(open(logs / f"worker{n}.log", "w"))))  # noqa: SIM115
        with Client(address, timeout="60s") as client:
            client.wait_for_workers(2, timeout=120)
        out = tmp_path / "out"
        done = subprocess.run(
            [sys.executable, "-m", "analytics", "report", "--all", "--db", str(demo_path),
             "--period", DEMO_PERIOD, "--as-of", DEMO_AS_OF.isoformat(), "--format",
             ",".join(QUICK), "--out", str(out), "--published", str(tmp_path / "published"),
             "--cluster", address],
            capture_output=True, text=True, env=env, timeout=600)
        assert done.returncode == 0, done.stderr
        assert "5 reports written" in done.stdout
        assert _jsons(out) == _jsons(single)
        assert len(list((tmp_path / "published").glob("shard=*"))) > 1
    finally:
        for process in reversed(processes):
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        files.close()


def test_an_unreachable_scheduler_is_one_line(demo_path: Path, tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "analytics", "report", "--all", "--db", str(demo_path),
         "--period", DEMO_PERIOD, "--as-of", DEMO_AS_OF.isoformat(), "--format", "json",
         "--out", str(tmp_path / "out"), "--published", str(tmp_path / "published"),
         "--cluster", f"tcp://127.0.0.1:{_free_port()}"],
        capture_output=True, text=True,
        timeout=120)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert "cannot reach the Dask scheduler" in done.stderr


def test_notebooks_on_a_local_cluster_record_the_single_machine_models(
        cluster, demo_path: Path, demo_db, tmp_path: Path) -> None:
    import nbformat

    from analytics import notebooks
    from analytics.notebooks.cluster import run_cluster_notebooks
    from analytics.report import build_report

    published = _published(demo_path, tmp_path / "published")
    ids = ["harbour-yoga", "lumen-books", "northwind-coffee"]
    jobs = notebooks.plan(ids, PERIOD, DEMO_AS_OF, demo_path, tmp_path / "out")
    results = run_cluster_notebooks(cluster.scheduler_address, published, jobs)
    assert [(r.business_id, r.ok, r.error) for r in results] == [(b, True, None) for b in ids]
    for result in results:
        nb = nbformat.read(result.notebook, as_version=4)
        # the kernel read the worker's scratch copy of the shard, not the warehouse
        assert "analytics-shard-" in nb.metadata.papermill.parameters["db"]
        recorded = notebooks.recorded_model(nb)
        expected = build_report(demo_db, result.business_id, PERIOD, DEMO_AS_OF).to_json()
        assert recorded == json.loads(expected)  # number for number, from the shard's copy


def test_a_big_shard_is_cut_into_tasks_that_cover_it_once(demo_path: Path, tmp_path: Path,
                                                          monkeypatch) -> None:
    from analytics import config
    from analytics.render.cluster import plan_shards

    published = _published(demo_path, tmp_path / "published")
    options = RenderOptions(out=tmp_path / "out", formats=QUICK)
    whole = plan_shards(published, None, PERIOD, DEMO_AS_OF, options, 10)
    monkeypatch.setattr(config, "CLUSTER_TASK_BUSINESSES", 1)
    cut = plan_shards(published, None, PERIOD, DEMO_AS_OF, options, 10)
    assert len(cut) == 5 and all(len(j.business_ids) == 1 for j in cut)
    assert sorted(b for j in cut for b in j.business_ids) == sorted(
        b for j in whole for b in j.business_ids)
    assert {j.shard for j in cut} == {j.shard for j in whole}  # each reads its own shard
    with pytest.raises(Exception, match="unknown business 'nobody'"):
        plan_shards(published, ["nobody"], PERIOD, DEMO_AS_OF, options, 10)


def test_tasks_shrink_towards_the_end_of_the_batch() -> None:
    from analytics.render.cluster import task_size

    sizes, left = [], 200
    while left:
        sizes.append(task_size(left, 2, 25))
        left -= sizes[-1]
    # worked out by hand: a quarter of what is left (half over 2 workers), at most 25
    assert sizes == [25] * 5 + [19, 14, 11, 8, 6, 5, 3, 3, 2, 1, 1, 1, 1]
    assert task_size(7, 0, 25) == 4  # no worker yet: planned as for one
    assert task_size(1, 64, 25) == 1


def test_workers_over_the_memory_limit_are_recycled_without_losing_a_report(
        demo_path: Path, tmp_path: Path, monkeypatch) -> None:
    from distributed import get_task_stream

    from analytics import config

    single = tmp_path / "single"
    _single(demo_path, single, QUICK)
    published = _published(demo_path, tmp_path / "published")
    # a limit every worker is above after any task, and one business a task: each task's
    # worker is replaced once it is done
    monkeypatch.setattr(config, "CLUSTER_WORKER_RECYCLE_MB", 1)
    monkeypatch.setattr(config, "CLUSTER_TASK_BUSINESSES", 1)
    out = tmp_path / "out"
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as local, Client(local) as client:
        before = set(client.run(os.getpid).values())
        with get_task_stream(client) as stream:
            result = run_cluster_batch(local.scheduler_address, published, None, PERIOD,
                                       DEMO_AS_OF, RenderOptions(out=out, formats=QUICK))
        after: set[int] = set()  # the workers' processes once the recycled ones are back
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # the last recycled workers come back
            with contextlib.suppress(Exception):
                after = set(client.run(os.getpid).values())
                if len(after) == 2 and not after & {o.pid for o in result.outcomes}:
                    break
            time.sleep(0.2)
    statuses = [o.status for o in result.outcomes]
    assert (statuses.count("written"), statuses.count("skipped"), statuses.count("failed")
            ) == (5, 0, 0)
    # each report rendered by a worker (none found done by an earlier attempt), each task
    # run once (none recomputed after its worker closed), each in a process of its own
    assert all(o.pid and o.cpu_seconds > 0 for o in result.outcomes)
    keys = [t["key"] for t in stream.data if str(t["key"]).startswith("analytics-shard")]
    assert len(keys) == len(set(keys)) == 5
    assert len({o.pid for o in result.outcomes}) == 5
    # fresh processes only. Not always two: under load a LocalCluster sometimes closes the
    # nanny of the last recycled worker (seen in CI: "Closing Nanny … Reason: nanny-close"
    # right after its restart); whether `dask worker` nannies can do the same is not known
    assert after and not after & before
    assert _jsons(out) == _jsons(single)
    assert _entries(out) == _entries(single)
