"""The command line: one-line errors, exit codes, and the report command end to end."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from analytics.cli import cli
from conftest import DEMO_AS_OF, DEMO_PERIOD


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def test_unknown_business_is_one_line_and_exit_1(demo_path: Path, tmp_path: Path) -> None:
    result = run("report", "--db", str(demo_path), "--business", "nope", "--out", str(tmp_path),
                 "--as-of", DEMO_AS_OF.isoformat())
    assert result.exit_code == 1
    assert result.output.startswith("error: unknown business 'nope' (known: alpine-outfitters")
    assert result.output.count("\n") == 1
    assert "Traceback" not in result.output


def test_report_needs_to_be_told_which_businesses(demo_path: Path) -> None:
    result = run("report", "--db", str(demo_path))
    assert result.exit_code == 1
    assert "say which businesses: --business ID (repeatable) or --all" in result.output


def test_bad_period_and_missing_warehouse_are_clear(demo_path: Path, tmp_path: Path) -> None:
    bad = run("report", "--db", str(demo_path), "--all", "--period", "week 47")
    assert bad.exit_code == 1 and "period 'week 47' not understood" in bad.output
    missing = run("report", "--db", str(tmp_path / "none.duckdb"), "--all")
    assert missing.exit_code == 1 and "create one with `analytics demo`" in missing.output


def test_report_for_some_businesses_only(demo_path: Path, tmp_path: Path) -> None:
    result = run("report", "--db", str(demo_path), "--business", "kiku-ramen,lumen-books",
                 "--out", str(tmp_path), "--period", DEMO_PERIOD, "--as-of",
                 DEMO_AS_OF.isoformat())
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_dir()) == ["kiku-ramen",
                                                                        "lumen-books"]
    assert (tmp_path / "index.html").is_file()
    assert "2 reports written" in result.output


def test_python_dash_m_analytics_works() -> None:
    result = subprocess.run([sys.executable, "-m", "analytics", "--help"], capture_output=True,
                            text=True, check=True)
    assert "Commands:" in result.stdout and "report" in result.stdout
