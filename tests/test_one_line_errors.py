"""A user's mistake gets one line that says what to do, exit status 1, and no leftovers
(issue 10, item 9); every CSV we write neutralises formula cells (item 8)."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from analytics import AnalyticsError, csvsafe
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


def linkedin_workbook(path: Path, rows: int, extra_cell: str | None = None,
                      dimension: str | None = None) -> Path:
    """A LinkedIn *All posts* workbook of ``rows`` posts, its sheet XML edited the way a
    damaged or foreign file comes: a cell at ``extra_cell``'s column on every row, or a
    <dimension> that understates the sheet."""
    import re
    import zipfile

    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "All posts"
    sheet.append(["Post title", "Post link", "Created date", "Impressions", "Clicks", "Likes",
                  "Comments", "Reposts"])
    for i in range(rows):
        sheet.append([f"t{i}", f"https://www.linkedin.com/feed/update/urn:li:activity:{i}",
                      "2025-01-01", 10, 1, 1, 1, 1])
    book.save(path)
    with zipfile.ZipFile(path) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    name = "xl/worksheets/sheet1.xml"
    xml = files[name].decode()
    if extra_cell:
        xml = re.sub(r'<c r="H(\d+)"(.*?)</c></row>',
                     lambda m: f'<c r="H{m[1]}"{m[2]}</c><c r="{extra_cell}{m[1]}" t="n">'
                               f"<v>7</v></c></row>", xml)
    if dimension:
        xml = re.sub(r'<dimension ref="[^"]*"', f'<dimension ref="{dimension}"', xml)
    files[name] = xml.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, data in files.items():
            archive.writestr(member, data)
    return path


@pytest.mark.parametrize("column", ["XFE", "ZZZ", "ZZZZ"])
def test_an_xlsx_cell_past_column_xfd_is_one_line_fast(tmp_path: Path, column: str) -> None:
    import time

    businesses = write_csv(tmp_path / "b.csv", BUSINESS_COLUMNS,
                           [{"business_id": "b1", "name": "B", "timezone": "UTC"}])
    book = linkedin_workbook(tmp_path / "posts.xlsx", 3000, extra_cell=column)
    started = time.perf_counter()
    code, out = run_cli("ingest", str(businesses), str(book), "--db",
                        str(tmp_path / "w.duckdb"), "--business", "b1")
    assert time.perf_counter() - started < 10  # before: ~10 s per 3,000 rows, GBs of memory
    assert code == 1 and "Traceback" not in out
    assert f"cell {column}1 lies past column XFD" in out
    assert "1 of 2 files refused" in out  # the businesses file went in


def test_an_xlsx_whose_dimension_understates_the_sheet_loses_no_row(tmp_path: Path) -> None:
    businesses = write_csv(tmp_path / "b.csv", BUSINESS_COLUMNS,
                           [{"business_id": "b1", "name": "B", "timezone": "UTC"}])
    book = linkedin_workbook(tmp_path / "posts.xlsx", 50, dimension="A1:H2")
    code, out = run_cli("ingest", str(businesses), str(book), "--db",
                        str(tmp_path / "w.duckdb"), "--business", "b1")
    assert code == 0, out
    row = [line for line in out.splitlines() if "linkedin-posts" in line][0]
    assert row.split()[-5:] == ["50", "50", "0", "0", "0"]  # read, inserted, …, rejected


def _limit_file_size(limit: int) -> None:
    """In the child: files can grow to ``limit`` bytes, then writes fail (EFBIG) as on a full
    disk; the signal that would kill the process is ignored, as a full disk sends none."""
    import resource
    import signal

    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))


def test_a_disk_that_fills_during_ingest_is_one_line_and_loses_nothing(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    import duckdb

    businesses = write_csv(tmp_path / "b.csv", BUSINESS_COLUMNS,
                           [{"business_id": "acme", "name": "Acme", "timezone": "UTC"}])
    rows = [post("acme", "x", f"p{i}", "2026-11-20T10:00:00Z", views=100 + i,
                 title="a title long enough to fill some pages " * 2,
                 clicks="bad" if i % 1000 == 0 else 1) for i in range(40_000)]
    posts = write_csv(tmp_path / "posts.csv", POST_COLUMNS, rows)
    second = write_csv(tmp_path / "zz.csv", POST_COLUMNS, rows[:10])
    db = tmp_path / "w.duckdb"
    command = [sys.executable, "-m", "analytics", "ingest", "--db", str(db),
               "--observed-on", "2026-11-30"]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    subprocess.run([*command, str(businesses)], check=True, env=env, capture_output=True)
    full = subprocess.run([*command, str(posts), str(second)], env=env, capture_output=True,
                          text=True, preexec_fn=lambda: _limit_file_size(3_000_000),
                          timeout=300)
    assert full.returncode == 1
    assert "Traceback" not in full.stderr, full.stderr
    errors = full.stderr.strip().splitlines()
    assert len(errors) == 1 and errors[0].startswith("error: "), errors
    # where the disk fills decides whether DuckDB fails the commit (the file is refused, the
    # next goes on) or the checkpoint after it (the run stops): either way it is said, once
    assert "File too large" in full.stdout, full.stdout
    assert not [p for p in tmp_path.rglob("*") if ".tmp" in p.name]  # no temporary left
    con = duckdb.connect(str(db), read_only=True)
    try:  # the file was rolled back whole; what was there before is intact
        assert con.execute("SELECT count(*) FROM businesses").fetchone() == (1,)
        assert con.execute("SELECT count(*) FROM content_metrics WHERE content_id NOT IN "
                           "('p1', 'p2', 'p3', 'p4', 'p5', 'p6', 'p7', 'p8', 'p9')"
                           ).fetchone() == (0,)
    finally:
        con.close()
    again = subprocess.run([*command, str(posts), str(second)], env=env, capture_output=True,
                           text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    con = duckdb.connect(str(db), read_only=True)
    try:  # with room, the same command loads everything: nothing was lost
        assert con.execute("SELECT count(*) FROM content_metrics").fetchone() == (40_000 - 40,)
    finally:
        con.close()


def test_explore_takes_a_path_and_names_its_own_arguments(demo_path: Path) -> None:
    # an analyst passes the warehouse's path and keyword arguments: errors name those
    # arguments (as_of, days), never the command line's --as-of or --days
    report = explore.load_report(str(demo_path), "lumen-books", period="2026-W47",
                                 as_of="2026-11-23")
    assert report.period.label == "2026-W47"
    assert "lumen-books" in explore.compare_businesses(demo_path, period="2026-W47",
                                                       as_of="2026-11-23").index
    for kwargs, words in [({"period": "2026-W47", "days": 3}, "not period and days"),
                          ({"as_of": "2026-13-01"}, "as_of '2026-13-01' is not a date")]:
        with pytest.raises(AnalyticsError) as caught:
            explore.load_report(demo_path, "lumen-books", **kwargs)
        assert words in str(caught.value) and "--" not in str(caught.value)


@pytest.mark.parametrize("value", ["abc", "0", "-3"])
def test_a_bad_count_in_the_environment_is_one_line(value: str) -> None:
    done = subprocess.run([sys.executable, "-m", "analytics", "report", "--help"],
                          capture_output=True, text=True, timeout=60,
                          env=os.environ | {"ANALYTICS_CLUSTER_TASK_BUSINESSES": value})
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stderr.strip() == (
        f"error: ANALYTICS_CLUSTER_TASK_BUSINESSES must be a whole number of at least 1, not "
        f"{value!r}; unset it for the default, 25")
