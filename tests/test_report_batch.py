"""Batches of reports: worker processes, one failure among three, skip-if-unchanged, the index,
and nothing half-written."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from bs4 import BeautifulSoup
from click.testing import CliRunner

from analytics.cli import cli
from analytics.metrics.period import Period
from analytics.render.batch import STAMP, RenderOptions, run_batch
from analytics.render.index import write_index
from conftest import post, small_business, week_posts

W47 = Period.parse("2026-W47")
AS_OF = date(2026, 11, 30)
IDS = ("alpha", "bravo", "charlie")


def three_businesses(load):
    businesses = [small_business(b) for b in IDS]
    return load(businesses, [p for b in IDS for p in week_posts(b)])


def files(out: Path) -> dict[str, float]:
    """Every report file under ``out`` with its modification time."""
    return {str(p.relative_to(out)): p.stat().st_mtime_ns
            for p in out.rglob("report.*")}


def test_one_failing_business_does_not_stop_the_others(load, fresh_db, tmp_path: Path) -> None:
    three_businesses(load)
    fresh_db.close()
    out = tmp_path / "out"
    # bravo's report folder is taken by a file: its worker cannot write there
    (out / "bravo").mkdir(parents=True)
    (out / "bravo" / "2026-W47").write_text("in the way")
    result = CliRunner().invoke(cli, [
        "report", "--db", str(tmp_path / "warehouse.duckdb"), "--all", "--out", str(out),
        "--period", "2026-W47", "--as-of", AS_OF.isoformat(), "--jobs", "2",
    ])
    assert result.exit_code == 1
    assert "2 reports written" in result.output and "1 failed" in result.output
    assert "bravo:" in result.output and "Error" in result.output
    for business_id in ("alpha", "charlie"):
        folder = out / business_id / "2026-W47"
        assert sorted(p.name for p in folder.iterdir()) == \
            [STAMP, "report.html", "report.json", "report.pdf"]
    assert (out / "bravo" / "2026-W47").read_text() == "in the way"
    # no temporary files left behind anywhere
    assert not [p for p in out.rglob("*.tmp")]
    # the index lists the two reports that exist, not the failed one
    index = BeautifulSoup((out / "index.html").read_text(), "html.parser")
    assert [td.find("span").get_text() for td in index.select("#all tbody td:first-child")] == \
        ["alpha", "charlie"]


def test_a_broken_brand_file_fails_that_business_only(load, tmp_path: Path) -> None:
    con = three_businesses(load)
    brands = tmp_path / "brands"
    brands.mkdir()
    (brands / "charlie.json").write_text('{"colour": "red"')
    (brands / "alpha.json").write_text('{"colour": "#7a1f5c"}')
    out = tmp_path / "out"
    result = run_batch(con, None, W47, AS_OF,
                       RenderOptions(out=out, formats=("html",), brands_dir=brands), jobs=1)
    status = {o.business_id: o.status for o in result.outcomes}
    assert status == {"alpha": "written", "bravo": "written", "charlie": "failed"}
    failed = result.with_status("failed")[0]
    assert "charlie.json" in failed.error and "not valid JSON" in failed.error
    assert "--accent: #7a1f5c" in (out / "alpha" / "2026-W47" / "report.html").read_text()


def test_unchanged_reports_are_skipped_and_touched_ones_redone(load, tmp_path: Path) -> None:
    con = three_businesses(load)
    out = tmp_path / "out"
    options = RenderOptions(out=out, formats=("html", "pdf", "json"))

    first = run_batch(con, None, W47, AS_OF, options, jobs=1)
    assert [o.status for o in first.outcomes] == ["written"] * 3
    before = files(out)
    assert len(before) == 9

    second = run_batch(con, None, W47, AS_OF, options, jobs=1)
    assert [o.status for o in second.outcomes] == ["skipped"] * 3
    assert files(out) == before

    # a corrected export of one bravo post: only bravo's numbers change
    load([], [post("bravo", "instagram", "bravo-0", "2026-11-16T10:00:00Z", views=5000,
                   likes=400, shares=5, comments=3, clicks=20, reach=2500)])
    third = run_batch(con, None, W47, AS_OF, options, jobs=1)
    assert {o.business_id: o.status for o in third.outcomes} == \
        {"alpha": "skipped", "bravo": "written", "charlie": "skipped"}
    after = files(out)
    changed = sorted(name for name in after if after[name] != before[name])
    assert changed == ["bravo/2026-W47/report.html", "bravo/2026-W47/report.json",
                       "bravo/2026-W47/report.pdf"]

    # --force redoes everything; a missing output is redone too
    (out / "alpha" / "2026-W47" / "report.pdf").unlink()
    fourth = run_batch(con, ["alpha", "charlie"], W47, AS_OF, options, jobs=1)
    assert [o.status for o in fourth.outcomes] == ["written", "skipped"]
    forced = run_batch(con, None, W47, AS_OF,
                       RenderOptions(out=out, formats=options.formats, force=True), jobs=1)
    assert [o.status for o in forced.outcomes] == ["written"] * 3


def test_changed_templates_rerender_everything(load, tmp_path: Path) -> None:
    con = three_businesses(load)
    out = tmp_path / "out"
    mine = tmp_path / "mine"
    mine.mkdir()
    run_batch(con, None, W47, AS_OF, RenderOptions(out=out, formats=("html",)), jobs=0)
    (mine / "screen.css").write_text(".report { background: #fffbe6; }")
    again = run_batch(con, None, W47, AS_OF,
                      RenderOptions(out=out, formats=("html",), templates=mine), jobs=0)
    assert [o.status for o in again.outcomes] == ["written"] * 3
    assert "#fffbe6" in (out / "alpha" / "2026-W47" / "report.html").read_text()


def test_index_lists_every_business_and_period(load, tmp_path: Path) -> None:
    con = three_businesses(load)
    out = tmp_path / "out"
    for week in ("2026-W46", "2026-W47"):
        run_batch(con, ["alpha", "bravo"], Period.parse(week), AS_OF,
                  RenderOptions(out=out, formats=("json", "html")), jobs=0)
    soup = BeautifulSoup((out / "index.html").read_text(), "html.parser")
    rows = [[td.get_text(" ", strip=True) for td in tr.find_all("td")]
            for tr in soup.select("#all tbody tr")]
    assert [(r[0].split()[-1], r[1]) for r in rows] == [
        ("alpha", "2026-W47"), ("alpha", "2026-W46"), ("bravo", "2026-W47"),
        ("bravo", "2026-W46")]
    links = [a["href"] for a in soup.select("#all tbody a")]
    assert "alpha/2026-W47/report.html" in links and "bravo/2026-W46/report.json" in links
    for href in links:
        assert (out / href).is_file()


def test_index_is_an_agency_overview_of_each_business_latest_period(load,
                                                                     tmp_path: Path) -> None:
    con = three_businesses(load)
    out = tmp_path / "out"
    # alpha: W47 (ends 22 Nov) and the month of November, still under way on 30 Nov; the
    # month is the latest by its dates although "2026-11" < "2026-W47" as text
    for period in ("2026-W47", "2026-11"):
        run_batch(con, ["alpha"], Period.parse(period), AS_OF,
                  RenderOptions(out=out, formats=("json", "html")), jobs=0)
    run_batch(con, ["bravo"], W47, AS_OF, RenderOptions(out=out, formats=("json", "pdf")),
              jobs=0)
    (out / "bravo" / "2026-W47" / "notebook.html").write_text("<p>notebook</p>")
    write_index(out)  # as `analytics notebook` leaves it
    soup = BeautifulSoup((out / "index.html").read_text(), "html.parser")
    latest = {tr["data-business"]: tr for tr in soup.select("#latest tbody tr")}
    assert list(latest) == ["alpha", "bravo"]
    alpha = [td.get_text(" ", strip=True) for td in latest["alpha"].find_all("td")]
    assert "2026-11" in alpha[1] and "under way" in alpha[1]
    # alpha's four W47 posts (week_posts): 1,000–1,300 views, engagement 48 + 50 + 52 + 54
    assert alpha[2:5] == ["4", "204", "4.4\u00a0%"]
    bravo = [td.get_text(" ", strip=True) for td in latest["bravo"].find_all("td")]
    assert "2026-W47" in bravo[1] and "under way" not in bravo[1]
    links = [a["href"] for a in latest["bravo"].select("a")]
    assert links == ["bravo/2026-W47/report.pdf", "bravo/2026-W47/report.json",
                     "bravo/2026-W47/notebook.html"]
    periods = [tr.find_all("td")[1].get_text(" ", strip=True)
               for tr in soup.select("#all tbody tr")]
    assert periods[:2] == ["2026-11 under way", "2026-W47"]


def test_worker_memory_and_stage_times_are_reported(load, tmp_path: Path) -> None:
    con = three_businesses(load)
    result = run_batch(con, None, W47, AS_OF,
                       RenderOptions(out=tmp_path / "out", formats=("html", "pdf")), jobs=2)
    assert {"queries", "charts", "html", "pdf", "write"} <= set(result.seconds)
    peaks = result.peak_rss_per_worker
    assert 1 <= len(peaks) <= 2 and all(40 < mib < 2000 for mib in peaks.values())


def test_the_index_paints_a_change_as_the_report_card_does(demo_reports: Path) -> None:
    """A change inside the business's usual range is grey on the card: grey in the index too."""
    import json

    soup = BeautifulSoup((demo_reports / "index.html").read_text(), "html.parser")
    seen = set()
    for tr in soup.select("#latest tbody tr"):
        business = tr["data-business"]
        model = json.loads(next((demo_reports / business).glob("*/report.json")).read_text())
        cell = tr.find_all("td")[5]
        normal = bool(model["overview"]["growth_within_usual"])
        assert ("normal" in cell["class"]) == normal, business
        seen.add(normal)
    assert seen  # at least one business checked
