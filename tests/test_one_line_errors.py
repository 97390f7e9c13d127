"""A user's mistake gets one line that says what to do, exit status 1, and no leftovers
(issue 10, item 9); every CSV we write neutralises formula cells (item 8)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from analytics import csvsafe
from analytics.cli import cli
from analytics.notebooks import explore
from conftest import BUSINESS_COLUMNS, POST_COLUMNS, post, write_csv


def run_cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    assert not isinstance(result.exception, Exception) or isinstance(result.exception,
                                                                     SystemExit), \
        result.exception
    return result.exit_code, result.output


def assert_one_line_error(code: int, output: str, *needles: str) -> None:
    lines = [line for line in output.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("error:")]
    assert code == 1, output
    assert len(errors) == 1, output
    assert "Traceback" not in output
    for needle in needles:
        assert needle in errors[0], errors[0]


@pytest.fixture
def a_file(tmp_path: Path) -> Path:
    """A file where a folder is expected: unwritable for root and for anyone else alike."""
    path = tmp_path / "not-a-folder"
    path.write_text("x")
    return path


def test_report_out_in_an_unwritable_place(demo_path: Path, a_file: Path) -> None:
    code, out = run_cli("report", "--business", "harbour-yoga", "--db", str(demo_path),
                        "--out", str(a_file / "reports"), "--jobs", "0")
    assert_one_line_error(code, out, "--out", "not a folder")


def test_send_out_in_an_unwritable_place(demo_path: Path, a_file: Path) -> None:
    code, out = run_cli("send", "--business", "harbour-yoga", "--db", str(demo_path),
                        "--out", str(a_file / "reports"), "--dry-run")
    assert_one_line_error(code, out, "--out", "not a folder")


def test_ingest_rejects_in_an_unwritable_place_writes_nothing(tmp_path: Path,
                                                              a_file: Path) -> None:
    businesses = write_csv(tmp_path / "b.csv", BUSINESS_COLUMNS,
                           [{"business_id": "b1", "name": "B", "timezone": "UTC"}])
    db = tmp_path / "w.duckdb"
    code, out = run_cli("ingest", str(businesses), "--db", str(db), "--rejects",
                        str(a_file / "rejects"))
    assert_one_line_error(code, out, "--rejects", "not a folder")
    assert not db.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.csv", "not-a-folder"]


@pytest.mark.parametrize("content", ["not json at all", '{"cells": 3}', '{"a": 1}'])
def test_notebook_on_a_file_that_is_not_a_notebook(demo_path: Path, tmp_path: Path,
                                                   content: str) -> None:
    fake = tmp_path / "fake.ipynb"
    fake.write_text(content)
    code, out = run_cli("notebook", "--business", "harbour-yoga", "--db", str(demo_path),
                        "--notebook", str(fake), "--out", str(tmp_path / "out"))
    assert_one_line_error(code, out, "is not a Jupyter notebook")


def test_demo_with_a_negative_seed(tmp_path: Path) -> None:
    code, out = run_cli("demo", "--db", str(tmp_path / "w.duckdb"), "--seed", "-1")
    assert_one_line_error(code, out, "--seed")
    assert not list(tmp_path.iterdir())


def test_demo_on_a_path_it_cannot_write(a_file: Path) -> None:
    code, out = run_cli("demo", "--db", str(a_file / "w.duckdb"))
    assert_one_line_error(code, out, "--db", "not a folder")


def test_brand_colour_with_a_trailing_newline_is_refused(demo_path: Path,
                                                         tmp_path: Path) -> None:
    brands = tmp_path / "brands"
    brands.mkdir()
    (brands / "harbour-yoga.json").write_text(json.dumps({"colour": "#1f6f5c\n"}))
    result = CliRunner().invoke(cli, ["report", "--business", "harbour-yoga", "--db",
                                      str(demo_path), "--out", str(tmp_path / "out"),
                                      "--brands", str(brands), "--jobs", "0",
                                      "--format", "html"])
    assert result.exit_code == 1
    assert "colour must look like #1f5f8b" in result.output
    assert "RGBA" not in result.output  # matplotlib's error, reached before the fix


# --- item 8: formula cells -------------------------------------------------------------------


@pytest.mark.parametrize("cell", ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1",
                                  '=HYPERLINK("http://evil.example","x")'])
def test_formula_cells_are_written_as_text(cell: str) -> None:
    assert csvsafe.neutralise(cell) == "'" + cell
    assert csvsafe.neutralise(-1) == -1  # a number is data
    assert csvsafe.neutralise("plain") == "plain"


def test_rejects_file_neutralises_formula_cells(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # the rejects file names the file as it was given: relative
    businesses = write_csv(Path("businesses.csv"), BUSINESS_COLUMNS,
                           [{"business_id": "b1", "name": "B", "timezone": "UTC"}])
    hostile = post("=2+5", "x", "2", "2026-11-20T10:00:00Z", views=10)
    posts = write_csv(Path("=HYPERLINK(1).csv"), POST_COLUMNS,
                      [post("b1", "x", "1", "2026-11-20T10:00:00Z", views=10), hostile])
    code, out = run_cli("ingest", str(businesses), str(posts), "--db", "w.duckdb",
                        "--observed-on", "2026-11-30")
    assert code == 0, out
    (rejects,) = (tmp_path / "rejects").glob("*.csv")
    with open(rejects, newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows[1][:3] == ["'=HYPERLINK(1).csv", "3", "business_id"]  # the file, as text
    assert "=2+5" in rows[1][3]
    cells = [cell for row in rows for cell in row]
    assert not [c for c in cells if c.startswith(csvsafe.FORMULA_STARTS)], cells


def test_notebook_save_csv_neutralises_text_not_numbers(tmp_path: Path) -> None:
    frame = pd.DataFrame({"title": ["=1+1", "fine", "@me"], "delta": [-5, 3, 0]},
                         index=pd.Index(["-x", "b", "c"], name="post"))
    path = explore.save_csv(frame, "top", tmp_path)
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows == [["post", "title", "delta"], ["'-x", "'=1+1", "-5"], ["b", "fine", "3"],
                    ["c", "'@me", "0"]]
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temporary file left
