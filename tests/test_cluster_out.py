"""`report --cluster --out URL`: the workers write each report through fsspec, to a real FTP
server (pyftpdlib, a separate process on 127.0.0.1: a filesystem every worker process reaches
only over the network) and to a ``file://`` URL. The same files as a single-machine run; every
file put under a temporary name and moved into place, the stamp last; skip-if-unchanged and
index.html through fsspec; bad URLs are one line and a password is never printed."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from distributed import LocalCluster

from analytics import warehouse
from analytics.metrics.period import Period
from analytics.render.batch import RenderOptions, index_entries, run_batch
from analytics.render.cluster import run_cluster_batch
from analytics.warehouse.published import publish
from conftest import DEMO_AS_OF, DEMO_PERIOD

PERIOD = Period.parse(DEMO_PERIOD)
FORMATS = ("html", "json", "csv")  # csv: a subfolder (csv/<table>.csv) to create remotely
# fixed, not random: pytest-xdist's processes must collect the same test ids
USER, PASSWORD = "agency", "pw-7f3c9e2a41d8"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _bytes(path: Path) -> bytes:
    """``path``'s bytes but the minute an HTML report says it was generated (the one thing
    two runs need not share)."""
    return re.sub(rb"Generated [^<]*UTC", b"Generated -", path.read_bytes())


def _files(root: Path) -> dict[str, bytes]:
    """Every file of every report under ``root`` but the stamps."""
    return {p.relative_to(root).as_posix(): _bytes(p) for p in root.glob("*/*/**/*")
            if p.is_file() and p.name != ".render.json"}


def _entries(out: Path | str) -> list[dict]:
    return [{k: v for k, v in e.items() if k != "generated_at"} for e in index_entries(out)]


@pytest.fixture(scope="module")
def single(demo_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("single")
    con = warehouse.connect(demo_path, read_only=True)
    try:
        result = run_batch(con, None, PERIOD, DEMO_AS_OF,
                           RenderOptions(out=out, formats=FORMATS), jobs=0)
    finally:
        con.close()
    assert [o.status for o in result.outcomes] == ["written"] * 5
    return out


@pytest.fixture(scope="module")
def published(demo_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("published")
    con = warehouse.connect(demo_path, read_only=True)
    try:
        assert len(publish(con, folder, shard_size=2).written) > 1  # several tasks
    finally:
        con.close()
    return folder


@pytest.fixture(scope="module")
def cluster() -> Iterator[LocalCluster]:
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as local:
        yield local


@pytest.fixture(scope="module")
def ftp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, Path, Path]]:
    """A real FTP server (its own process) on 127.0.0.1: ``(port, its root, its log)``."""
    base = tmp_path_factory.mktemp("ftp")
    root, log = base / "root", base / "server.log"
    root.mkdir()
    port = _free_port()
    with open(log, "w") as handle:
        server = subprocess.Popen(
            [sys.executable, "-m", "pyftpdlib", "-i", "127.0.0.1", "-p", str(port), "-w",
             "-d", str(root), "-u", USER, "-P", PASSWORD],
            stdout=subprocess.DEVNULL, stderr=handle)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, log.read_text()
                time.sleep(0.1)
        yield port, root, log
    finally:
        server.terminate()
        server.wait(timeout=30)


def _commands(log: Path, verb: str) -> list[str]:
    """The paths of the server's logged ``verb`` commands (STOR, RNTO…), in order."""
    return re.findall(rf"\] {verb} (\S+)", log.read_text())


def test_workers_write_through_ftp_as_a_single_machine_run_writes_locally(
        cluster, published: Path, single: Path, ftp, tmp_path: Path) -> None:
    port, root, log = ftp
    url = f"ftp://{USER}:{PASSWORD}@127.0.0.1:{port}/reports"
    options = RenderOptions(out=url, formats=FORMATS)
    first = len(_commands(log, "STOR"))
    result = run_cluster_batch(cluster.scheduler_address, published, None, PERIOD, DEMO_AS_OF,
                               options)
    assert [o.status for o in result.outcomes] == ["written"] * 5
    assert PASSWORD not in repr(result)  # the files are named as printed: ftp://agency:***@
    assert all(str(f).startswith(f"ftp://{USER}:***@127.0.0.1") for o in result.outcomes
               for f in o.files)
    landed = root / "reports"
    assert _files(landed) == _files(single) and len(_files(single)) == 5 * 7
    assert not list(landed.rglob("*.tmp"))
    assert _entries(url) == _entries(single)
    assert "northwind-coffee" in (landed / "index.html").read_text()

    # every file went up under a temporary name and was renamed into place; in each report's
    # folder the stamp was moved in last, so no half-written report ever had one
    stored = _commands(log, "STOR")[first:]
    assert stored and all(re.search(r"/\.[^/]+\.[0-9a-f]{12}\.tmp$", p) for p in stored)
    renamed = [p for p in _commands(log, "RNTO") if "/reports/" in p]
    for folder in {str(landed / "/".join(k.split("/")[:2])) for k in _files(single)}:
        mine = [p for p in renamed if p.startswith(folder + "/")]
        assert len(mine) == 8 and mine[-1] == f"{folder}/.render.json", mine

    # skip-if-unchanged reads the stamps through fsspec: nothing is put again but the index
    stores = len(_commands(log, "STOR"))
    again = run_cluster_batch(cluster.scheduler_address, published, None, PERIOD, DEMO_AS_OF,
                              options)
    assert [o.status for o in again.outcomes] == ["skipped"] * 5
    later = _commands(log, "STOR")[stores:]
    assert len(later) == 1 and "/reports/.index.html." in later[0]

    # an upload that died before its stamp (files there, a temporary left over, no stamp) is
    # never taken for done: that report is written again, and only that one
    folder = landed / "lumen-books" / DEMO_PERIOD
    (folder / ".render.json").unlink()
    (folder / ".report.html.0123456789ab.tmp").write_bytes(b"half")
    (folder / "report.html").write_bytes(b"<p>half</p>")
    third = run_cluster_batch(cluster.scheduler_address, published, None, PERIOD, DEMO_AS_OF,
                              options)
    statuses = {o.business_id: o.status for o in third.outcomes}
    assert statuses.pop("lumen-books") == "written"
    assert list(statuses.values()) == ["skipped"] * 4
    assert _bytes(folder / "report.html") == _bytes(
        single / "lumen-books" / DEMO_PERIOD / "report.html")


def test_workers_write_to_a_file_url(cluster, published: Path, single: Path,
                                     tmp_path: Path) -> None:
    url = f"file://{tmp_path}/out"
    options = RenderOptions(out=url, formats=FORMATS)
    result = run_cluster_batch(cluster.scheduler_address, published, None, PERIOD, DEMO_AS_OF,
                               options)
    assert [o.status for o in result.outcomes] == ["written"] * 5
    assert _files(tmp_path / "out") == _files(single)
    assert _entries(url) == _entries(single) == _entries(tmp_path / "out")
    assert (tmp_path / "out" / "index.html").is_file()
    again = run_cluster_batch(cluster.scheduler_address, published, None, PERIOD, DEMO_AS_OF,
                              options)
    assert [o.status for o in again.outcomes] == ["skipped"] * 5


def _report(demo_path: Path, tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "analytics", "report", "--all", "--db", str(demo_path),
         "--period", DEMO_PERIOD, "--as-of", DEMO_AS_OF.isoformat(), "--format", "json",
         "--published", str(tmp_path / "published"), *args],
        capture_output=True, text=True, timeout=300, env=os.environ | {"COLUMNS": "200"})


def test_report_cli_on_the_cluster_to_ftp_prints_no_password(
        cluster, demo_path: Path, single: Path, ftp, tmp_path: Path) -> None:
    port, root, _ = ftp
    done = _report(demo_path, tmp_path, "--cluster", cluster.scheduler_address, "--out",
                   f"ftp://{USER}:{PASSWORD}@127.0.0.1:{port}/cli")
    assert done.returncode == 0, done.stderr
    assert f"5 reports written to ftp://{USER}:***@127.0.0.1:{port}/cli/" in done.stdout
    assert PASSWORD not in done.stdout + done.stderr
    assert {p.parent.parent.name: p.read_bytes() for p in (root / "cli").glob("*/*/report.json")
            } == {p.parent.parent.name: p.read_bytes() for p in single.glob("*/*/report.json")}


@pytest.mark.parametrize(("url", "reason"), [
    ("nosuch://somewhere/reports", "Protocol not known: nosuch"),
    (f"ftp://{USER}:{PASSWORD}@127.0.0.1:{{closed}}/reports", "Connection refused"),
    (f"ftp://{USER}:wrong-{PASSWORD}@127.0.0.1:{{port}}/reports", "530"),
], ids=["unknown-protocol", "server-down", "wrong-password"])
def test_a_bad_out_url_is_one_line_without_the_password(
        demo_path: Path, ftp, tmp_path: Path, url: str, reason: str) -> None:
    port, root, _ = ftp
    url = url.format(closed=_free_port(), port=port)
    done = _report(demo_path, tmp_path, "--out", url)
    assert done.returncode == 1
    assert done.stdout == "" and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and reason in done.stderr, done.stderr
    # checked before any work, naming the folder (not a report in it), the password hidden
    shown = url.replace(f":{PASSWORD}@", ":***@").replace(f":wrong-{PASSWORD}@", ":***@")
    assert done.stderr.startswith(f"error: --out {shown}: "), done.stderr
    assert PASSWORD not in done.stderr
    assert not (tmp_path / "published").exists()


def test_commands_that_write_folders_refuse_a_url(demo_path: Path, tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "analytics", "notebook", "--all", "--db", str(demo_path),
         "--out", f"ftp://{USER}:{PASSWORD}@127.0.0.1/x"],
        capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert done.returncode == 2
    assert "URLs are not taken here" in done.stderr and PASSWORD not in done.stderr
    assert not list(tmp_path.iterdir())  # no folder named "ftp:" made in its place
