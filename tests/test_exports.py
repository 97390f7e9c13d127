"""Spreadsheet exports: ``analytics report --format csv,xlsx`` writes report.xlsx and
csv/<table>.csv with every post of the period; formula-like text is neutralised in both, and
numbers stay numbers. The portal serves the same bytes."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import httpx
import openpyxl
import pytest
from click.testing import CliRunner
from serve_helpers import BUSINESSES, FORMULA_TITLE, POSTS, grant, running_server

from analytics.cli import cli
from analytics.render.exports import neutralise
from conftest import post

#: One more post of alpha's week, under the ranking floor of 100 views: not a "top post",
#: but a post of the period all the same.
SMALL = post("alpha", "linkedin", "a4", "2026-11-27T08:00:00Z", views=40, likes=2,
             title="+1 for sourdough")
SHEETS = ["overview", "platforms", "posts", "trends", "insights"]


@pytest.fixture
def written(load, tmp_path: Path) -> Path:
    load(BUSINESSES, [*POSTS, SMALL]).close()
    out = tmp_path / "reports"
    result = CliRunner().invoke(cli, [
        "report", "--business", "alpha", "--period", "2026-W48", "--as-of", "2026-11-30",
        "--format", "csv,xlsx", "--db", str(tmp_path / "warehouse.duckdb"), "--out", str(out),
        "--jobs", "0"])
    assert result.exit_code == 0, result.output
    return out / "alpha" / "2026-W48"


def read_csv(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_bytes().decode("utf-8-sig"))))


def test_csv_tables_hold_every_post_and_the_model(written: Path) -> None:
    assert sorted(p.name for p in (written / "csv").iterdir()) == sorted(
        f"{s}.csv" for s in SHEETS)
    posts = read_csv(written / "csv" / "posts.csv")
    # every post: the ranked ones by engagement rate, then a4 (40 views: below the floor)
    assert [p["content_id"] for p in posts] == ["a2", "a1", "a3", "a4"]
    assert posts[0]["views"] == "3000" and float(posts[0]["engagement_rate"]) == 10.0
    overview = {r["metric"]: r for r in read_csv(written / "csv" / "overview.csv")}
    assert overview["total_engagement"]["value"] == "382"  # 380 + a4's 2
    assert overview["total_engagement"]["previous"] == "100"
    trends = read_csv(written / "csv" / "trends.csv")
    assert len(trends) == 28 and trends[-1]["date"] == "2026-11-29"


def test_formulas_are_neutralised_in_csv(written: Path) -> None:
    titles = {p["content_id"]: p["title"] for p in read_csv(written / "csv" / "posts.csv")}
    assert titles["a3"] == "'" + FORMULA_TITLE
    assert titles["a4"] == "'+1 for sourdough"
    assert titles["a2"] == "Croissant reel"


def test_workbook_sheets_numbers_and_no_formula(written: Path) -> None:
    book = openpyxl.load_workbook(written / "report.xlsx")
    assert book.sheetnames == SHEETS
    sheet = book["posts"]
    header = [c.value for c in sheet[1]]
    rows = [dict(zip(header, (c for c in row), strict=True)) for row in sheet.iter_rows(min_row=2)]
    assert [r["content_id"].value for r in rows] == ["a2", "a1", "a3", "a4"]
    assert rows[0]["views"].value == 3000 and rows[0]["views"].data_type == "n"
    assert rows[0]["engagement_rate"].value == pytest.approx(10.0)
    formula = next(r["title"] for r in rows if r["content_id"].value == "a3")
    assert formula.value == "'" + FORMULA_TITLE and formula.data_type == "s"
    # nothing in the file is a formula: no <f> element in any sheet
    with zipfile.ZipFile(written / "report.xlsx") as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in archive.read(name), name


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1"])
def test_every_formula_start_is_neutralised(text: str) -> None:
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("value", ["plain", "a=b", "", 12, -3.5, None])
def test_other_values_pass_unchanged(value) -> None:
    assert neutralise(value) == value


def test_the_portal_serves_the_same_files(written: Path, tmp_path: Path) -> None:
    token = grant(tmp_path / "warehouse.duckdb", ["alpha"])
    with running_server(tmp_path / "warehouse.duckdb", tmp_path) as url:
        cookies = {"analytics_token": token}
        csv_answer = httpx.get(f"{url}/portal/alpha/csv/posts.csv",
                               params={"period": "2026-W48"}, cookies=cookies, timeout=60)
        xlsx_answer = httpx.get(f"{url}/portal/alpha/report.xlsx",
                                params={"period": "2026-W48"}, cookies=cookies, timeout=60)
    assert csv_answer.status_code == 200
    assert csv_answer.content == (written / "csv" / "posts.csv").read_bytes()
    assert csv_answer.headers["content-disposition"] == 'attachment; filename="alpha-posts.csv"'
    assert xlsx_answer.status_code == 200
    served = openpyxl.load_workbook(io.BytesIO(xlsx_answer.content))
    assert served.sheetnames == SHEETS
    assert [[c.value for c in row] for row in served["posts"].iter_rows()] == [
        [c.value for c in row] for row in openpyxl.load_workbook(
            written / "report.xlsx")["posts"].iter_rows()]
