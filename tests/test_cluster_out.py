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
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import unquote

import pytest
from distributed import LocalCluster

from analytics import warehouse
from analytics.metrics.period import Period
from analytics.render.batch import RenderOptions, run_batch
from analytics.render.cluster import run_cluster_batch
from analytics.render.index import index_entries
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


def _serve_ftp(base: Path, command: Callable[[int, Path], list[str]]
               ) -> Iterator[tuple[int, Path, Path]]:
    """Run an FTP server (its own process) on 127.0.0.1 until the caller is done:
    ``(port, its root, its log)``; ``command`` is completed by the port and the root."""
    root, log = base / "root", base / "server.log"
    root.mkdir()
    port = _free_port()
    with open(log, "w") as handle:
        server = subprocess.Popen([sys.executable, *command(port, root)],
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


@pytest.fixture(scope="module")
def ftp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, Path, Path]]:
    """pyftpdlib's own server: ``(port, its root, its log)``."""
    yield from _serve_ftp(tmp_path_factory.mktemp("ftp"), lambda port, root: [
        "-m", "pyftpdlib", "-i", "127.0.0.1", "-p", str(port), "-w", "-d", str(root),
        "-u", USER, "-P", PASSWORD])


@pytest.fixture(scope="module")
def strict_ftp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, Path, Path]]:
    """A server that refuses RNTO onto an existing file and echoes a wrong password in its
    reply (tests/ftp_helpers.py)."""
    script = str(Path(__file__).with_name("ftp_helpers.py"))
    yield from _serve_ftp(tmp_path_factory.mktemp("strict-ftp"), lambda port, root: [
        script, str(port), str(root), USER, PASSWORD])


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
    assert PASSWORD not in repr(result)  # the files are named as printed: ftp://***@
    assert all(str(f).startswith("ftp://***@127.0.0.1") for o in result.outcomes
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
        capture_output=True, text=True, timeout=300, env=os.environ | {"COLUMNS": "200"},
        cwd=tmp_path)  # a URL mistaken for a folder would land there, not in the checkout


def test_report_cli_on_the_cluster_to_ftp_prints_no_password(
        cluster, demo_path: Path, single: Path, ftp, tmp_path: Path) -> None:
    port, root, _ = ftp
    done = _report(demo_path, tmp_path, "--cluster", cluster.scheduler_address, "--out",
                   f"ftp://{USER}:{PASSWORD}@127.0.0.1:{port}/cli")
    assert done.returncode == 0, done.stderr
    assert f"5 reports written to ftp://***@127.0.0.1:{port}/cli/" in done.stdout
    assert PASSWORD not in done.stdout + done.stderr
    assert {p.parent.parent.name: p.read_bytes() for p in (root / "cli").glob("*/*/report.json")
            } == {p.parent.parent.name: p.read_bytes() for p in single.glob("*/*/report.json")}


def test_a_task_shown_in_a_log_hides_the_password(published: Path) -> None:
    # Dask logs a failed task with its arguments: their repr must not carry the password
    from analytics.render.cluster import plan_shards

    url = f"simplecache::ftp://{USER}:{PASSWORD}@127.0.0.1/reports"
    jobs = plan_shards(published, None, Period.parse(DEMO_PERIOD), DEMO_AS_OF,
                       RenderOptions(out=url, formats=("json",)), limit=10)
    assert jobs and all(job.options.out == url for job in jobs)  # the workers still get it
    shown = repr(jobs)
    assert "ftp://***@127.0.0.1/reports" in shown and PASSWORD not in shown, shown


@pytest.mark.parametrize(("url", "reason"), [
    ("nosuch://somewhere/reports", "nosuch:// cannot hold reports"),
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
    shown = url.replace(f"{USER}:{PASSWORD}@", "***@").replace(f"{USER}:wrong-{PASSWORD}@",
                                                                "***@")
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


@pytest.mark.parametrize(("value", "meant"), [
    (f"ftp:/{USER}:{PASSWORD}@127.0.0.1/reports", "ftp://***@127.0.0.1/reports"),
    ("s3:bucket/reports", "s3://bucket/reports"),
], ids=["ftp-one-slash", "s3-no-slash"])
def test_a_url_missing_a_slash_is_not_taken_for_a_folder(demo_path: Path, tmp_path: Path,
                                                         value: str, meant: str) -> None:
    done = _report(demo_path, tmp_path, "--out", value)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert f"did you mean {meant}?" in done.stderr, done.stderr
    assert PASSWORD not in done.stderr
    assert not list(tmp_path.iterdir())  # no folder named "ftp:" or "s3:" made


# --- a password is never printed, nor any part of it ---------------------------------------


def _pieces(secret: str) -> set[str]:
    """Every run of 3 characters of ``secret``."""
    return {secret[i:i + 3] for i in range(len(secret) - 2)}


# lower case: the echoing server capitalises its reply; none of these runs of 3 appears in
# anything else the command prints (the user, the host, the messages)
@pytest.mark.parametrize(("template", "password", "reason"), [
    ("simplecache::ftp://bob:{pw}@127.0.0.1:{closed}/x", "kq7zw3", "Connection refused"),
    ("ftp://bob:{pw}@127.0.0.1:{closed}/x", "kq7@zw3", "Connection refused"),
    ("ftp://bob:{pw}@127.0.0.1:{closed}/x", "kq7%40zw3", "Connection refused"),
    ("ftp://bob:{pw}@127.0.0.1:{closed}/x", "kq7/zw3", "must be percent-encoded"),
    # the server's 530 reply echoes the password it got, raw and decoded, and ftplib's
    # exception carries the reply
    (f"ftp://{USER}:{{pw}}@127.0.0.1:{{port}}/x", "kq7%40zw3", "530 Login refused"),
    (f"simplecache::ftp://{USER}:{{pw}}@127.0.0.1:{{port}}/x", "kq7@zw3", "530 Login refused"),
    # '::' splits a chained URL: the parts no longer parse, so everything up to the last '@'
    # is hidden
    ("ftp://bob:{pw}@127.0.0.1:{closed}/x", "kq7::zw3", "cannot wrap"),
], ids=["chained", "at-in-password", "percent-encoded", "slash-in-password", "echoed",
        "echoed-chained", "colons-in-password"])
def test_no_part_of_a_password_is_printed(demo_path: Path, strict_ftp, tmp_path: Path,
                                          template: str, password: str, reason: str) -> None:
    port, _, _ = strict_ftp
    url = template.format(pw=password, closed=_free_port(), port=port)
    done = _report(demo_path, tmp_path, "--out", url)
    assert done.returncode == 1
    output = done.stdout + done.stderr
    assert len(output.strip().splitlines()) == 1 and reason in output, output
    assert "***@127.0.0.1" in output, output
    leaked = {p for p in _pieces(password) | _pieces(unquote(password)) if p in output}
    assert not leaked, output


# --- URLs no worker could write to: one line, what to use instead ---------------------------


@pytest.mark.parametrize(("url", "reason"), [
    ("ftp://", "no host"),
    (f"ftp://{USER}:{PASSWORD}@/reports", "no host"),
    ("s3://", "no host"),
    ("memory://reports", "each process has its own memory filesystem"),
    ("zip://reports", "an archive is written whole"),
    ("https://example.com/reports", "read-only"),
    ("github://org:repo@main/reports", "read-only"),
    ("zip::file:///tmp/reports.zip", "zip:: cannot wrap"),
    ("simplecache::memory://reports", "each process has its own memory filesystem"),
], ids=["ftp-no-host", "ftp-login-no-host", "s3-no-bucket", "memory", "zip", "https",
        "github", "zip-chained", "memory-under-a-cache"])
def test_an_out_url_no_worker_can_write_to_is_refused(demo_path: Path, tmp_path: Path,
                                                      url: str, reason: str) -> None:
    done = _report(demo_path, tmp_path, "--out", url)
    assert done.returncode == 1 and done.stdout == ""
    # one line: no traceback, no "Exception ignored in: FTPFileSystem.__del__" noise
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert reason in done.stderr, done.stderr
    # and what to write instead
    assert re.search(r"use a folder every worker sees|(ftp|s3)://HOST/folder", done.stderr)
    assert PASSWORD not in done.stderr
    assert not (tmp_path / "published").exists()  # refused before any work


def test_a_cache_layer_over_a_file_url_writes_through(demo_path: Path, tmp_path: Path) -> None:
    done = _report(demo_path, tmp_path, "--out", f"simplecache::file://{tmp_path}/out")
    assert done.returncode == 0, done.stderr
    assert len(list((tmp_path / "out").glob("*/*/report.json"))) == 5
    assert (tmp_path / "out" / "index.html").is_file()


# --- a server that will not rename onto an existing file ------------------------------------


def test_rewriting_reports_on_a_server_that_refuses_to_rename_onto_a_file(
        demo_path: Path, single: Path, strict_ftp, tmp_path: Path) -> None:
    port, root, log = strict_ftp
    url = f"ftp://{USER}:{PASSWORD}@127.0.0.1:{port}/again"
    first = _report(demo_path, tmp_path, "--out", url)
    assert first.returncode == 0, first.stderr
    assert not re.search(r"RNTO \S+ 553", log.read_text())  # nothing there yet to refuse
    for path in (root / "again").glob("*/*/report.json"):
        path.write_bytes(b"{}")  # what the second run must replace
    again = _report(demo_path, tmp_path, "--out", url, "--force")
    assert again.returncode == 0, again.stderr
    assert "5 reports written" in again.stdout
    assert {p.parent.parent.name: p.read_bytes() for p in (root / "again").glob("*/*/report.json")
            } == {p.parent.parent.name: p.read_bytes() for p in single.glob("*/*/report.json")}
    assert not list((root / "again").rglob("*.tmp"))
    # each refused rename was followed by the old file's deletion and the rename again; the
    # stamp, removed before the files, still went in last
    text = log.read_text()
    refused = re.findall(r"RNTO (\S+) 553", text)
    assert {Path(p).name for p in refused} == {"report.json", "index.html"}, refused
    for path in refused:
        assert re.search(rf"DELE {re.escape(path)} 250", text), path
    folder = str(root / "again" / "lumen-books" / DEMO_PERIOD)
    done = [p for p in re.findall(r"RNTO (\S+) 250", text) if p.startswith(folder + "/")]
    assert done[-2:] == [f"{folder}/report.json", f"{folder}/.render.json"], done


def test_an_index_that_cannot_be_written_is_one_line(demo_path: Path, strict_ftp,
                                                      tmp_path: Path) -> None:
    port, root, _ = strict_ftp
    (root / "locked" / "index.html").mkdir(parents=True)  # neither renamed onto nor deleted
    done = _report(demo_path, tmp_path, "--out",
                   f"ftp://{USER}:{PASSWORD}@127.0.0.1:{port}/locked")
    assert done.returncode == 1 and len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert done.stderr.startswith(
        f"error: --out ftp://***@127.0.0.1:{port}/locked: cannot write index.html: "
        "error_perm: 550"), done.stderr
    assert len(list((root / "locked").glob("*/*/.render.json"))) == 5  # the reports are there
