"""A wheel built from the checkout works on its own: `pip install` (not editable) into a fresh
virtual environment, then `analytics demo && analytics report --all` from another folder.

The templates, SQL files, migrations and the report notebook must ship inside the package for
this to pass. The fresh environment borrows the third-party libraries of the current one
through a path file (no download), but not its editable `analytics`.
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
         "--wheel-dir", str(out), str(ROOT)],
        check=True, capture_output=True, cwd=out,
    )
    (path,) = out.glob("analytics-*.whl")
    return path


def test_the_wheel_carries_templates_queries_migrations_and_the_notebook(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for expected in ("analytics/render/templates/report.html.j2",
                     "analytics/render/templates/print.css",
                     "analytics/warehouse/queries/post_facts.sql",
                     "analytics/warehouse/queries/metric_macros.sql",
                     "analytics/warehouse/migrations/001_initial.sql",
                     "analytics/notebooks/business_report.ipynb"):
        assert expected in names


def test_installed_wheel_runs_demo_and_reports_from_another_folder(
        wheel: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                          check=True, capture_output=True, text=True).stdout.strip()
    # third-party libraries from this environment (a plain path: its .pth files, among them
    # the editable install of analytics, are not run)
    Path(site, "borrowed-libraries.pth").write_text(sysconfig.get_path("purelib") + "\n")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    subprocess.run([python, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index",
                    str(wheel)], check=True, env=env, capture_output=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    where = subprocess.run([python, "-c", "import analytics; print(analytics.__file__)"],
                           check=True, capture_output=True, text=True, env=env, cwd=elsewhere)
    assert Path(where.stdout.strip()).is_relative_to(venv)
    analytics = str(venv / "bin" / "analytics")
    subprocess.run([analytics, "demo", "--db", "w.duckdb", "--businesses", "2"],
                   check=True, env=env, cwd=elsewhere, capture_output=True)
    result = subprocess.run([analytics, "report", "--all", "--db", "w.duckdb", "--out", "r",
                             "--jobs", "1"], env=env, cwd=elsewhere, capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stderr[-2000:]
    for kind in ("html", "pdf", "json"):
        assert len(list((elsewhere / "r").glob(f"*/*/report.{kind}"))) == 2
    assert (elsewhere / "r" / "index.html").is_file()
