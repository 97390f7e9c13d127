"""Which PDF engine prints, where (review of the Chromium switch): ``send`` keeps the engine
``report`` used instead of re-printing its PDFs with the default, and ``report --cluster``
does not need a browser on the host that only submits the work. Real CLI processes."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

from pypdf import PdfReader

from conftest import DEMO_AS_OF, DEMO_PERIOD


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "analytics", *args], capture_output=True,
                          text=True, timeout=300, env=os.environ | (env or {}))


def _producer(pdf: Path) -> str:
    return str(PdfReader(pdf).metadata.get("/Producer", ""))


def test_send_keeps_the_engine_report_used(demo_path: Path, tmp_path: Path) -> None:
    db, out = tmp_path / "w.duckdb", tmp_path / "reports"
    shutil.copy(demo_path, db)
    period = ["--period", DEMO_PERIOD, "--as-of", DEMO_AS_OF.isoformat()]
    done = _cli("report", "--business", "lumen-books", "--db", str(db), "--out", str(out),
                "--pdf-engine", "weasyprint", "--jobs", "0", *period)
    assert done.returncode == 0, done.stderr
    pdf = out / "lumen-books" / DEMO_PERIOD / "report.pdf"
    printed = pdf.stat().st_mtime_ns
    assert "WeasyPrint" in _producer(pdf)
    env = {"SMTP_FROM": "Reports <reports@example.com>"}
    done = _cli("send", "--business", "lumen-books", "--db", str(db), "--out", str(out),
                "--dry-run", "--pdf-engine", "weasyprint", *period, env=env)
    assert done.returncode == 0, done.stderr
    assert pdf.stat().st_mtime_ns == printed and "WeasyPrint" in _producer(pdf)  # reused
    # without it, send's default engine (chromium) differs: the report is printed again
    done = _cli("send", "--business", "lumen-books", "--db", str(db), "--out", str(out),
                "--dry-run", *period, env=env | {"ANALYTICS_PDF_ENGINE": ""})
    assert done.returncode == 0, done.stderr
    assert "WeasyPrint" not in _producer(pdf)


def test_report_on_a_cluster_needs_no_browser_where_it_is_run(demo_path: Path,
                                                              tmp_path: Path) -> None:
    with socket.socket() as probe:  # a port nothing listens on: the scheduler is "down"
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    done = _cli("report", "--all", "--db", str(demo_path), "--out", str(tmp_path / "r"),
                "--published", str(tmp_path / "published"), "--period", DEMO_PERIOD,
                "--as-of", DEMO_AS_OF.isoformat(), "--cluster", f"tcp://127.0.0.1:{port}",
                env={"ANALYTICS_CHROMIUM": str(tmp_path / "no-chromium")})
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "no Chromium" not in done.stderr  # the workers print the PDFs, not this host
    assert f"127.0.0.1:{port}" in done.stderr, done.stderr


def test_another_chromium_prints_the_reports_again(demo_path: Path, tmp_path: Path) -> None:
    # Debian upgrades chromium often: a report printed by the old one is not current
    upgraded = tmp_path / "chromium-upgraded"
    upgraded.write_text('#!/bin/sh\nif [ "$1" = "--version" ]; then echo "Chromium 999.0.1"; '
                        'exit 0; fi\nexec /usr/bin/chromium "$@"\n')
    upgraded.chmod(0o755)
    db = tmp_path / "w.duckdb"
    shutil.copy(demo_path, db)
    args = ["report", "--business", "lumen-books", "--db", str(db), "--out",
            str(tmp_path / "r"), "--period", DEMO_PERIOD, "--as-of", DEMO_AS_OF.isoformat(),
            "--jobs", "0"]
    first = _cli(*args, env={"ANALYTICS_PDF_ENGINE": ""})
    again = _cli(*args, env={"ANALYTICS_PDF_ENGINE": ""})
    upgrade = _cli(*args, env={"ANALYTICS_PDF_ENGINE": "", "ANALYTICS_CHROMIUM": str(upgraded)})
    assert [p.returncode for p in (first, again, upgrade)] == [0, 0, 0], upgrade.stderr
    assert "1 report written" in first.stdout
    assert "0 reports written" in again.stdout and "1 unchanged" in again.stdout
    assert "1 report written" in upgrade.stdout, upgrade.stdout
