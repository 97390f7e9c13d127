"""A previous period that began before the business's data starts (its first post) is only
partly covered: no change is shown against it, and the card, the agency index and report.json
say why. The numbers are those of ``tests/cases/partial_previous`` (worked out there by hand:
+566.7 % was what the card showed before)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import jsonschema
import pytest
from bs4 import BeautifulSoup
from pypdf import PdfReader

from analytics.ingest import ingest_paths
from analytics.metrics.period import Period
from analytics.render.batch import RenderOptions, run_batch
from analytics.report import build_report
from analytics.report.schema import report_schema
from conftest import BUSINESS_COLUMNS, POST_COLUMNS, post, write_csv

CASE = Path(__file__).parent / "cases" / "partial_previous"
FLORIST = [{"business_id": "late-start", "name": "Late Start Florist", "timezone": "UTC"}]


def text(node) -> str:
    return " ".join(node.get_text(" ").split())


@pytest.mark.parametrize(("first_day", "partial"), [("2026-11-09", False),  # W46's Monday
                                                     ("2026-11-10", True)])
def test_partial_only_when_the_data_starts_after_the_previous_period_began(
        load, first_day: str, partial: bool) -> None:
    con = load(FLORIST, [
        post("late-start", "instagram", "old", f"{first_day}T10:00:00Z", views=1_000, likes=30,
             observed_on="2026-11-16"),
        post("late-start", "instagram", "new", "2026-11-17T10:00:00Z", views=1_000, likes=60,
             observed_on="2026-11-23"),
    ])
    doc = build_report(con, "late-start", "2026-W47", "2026-11-23").to_dict()
    o = doc["overview"]
    assert o["previous_partial"] is partial
    assert o["previous_coverage"] == ("partial" if partial else "full")
    assert doc["period"]["data_start"] == first_day
    assert o["previous"]["total_engagement"] == 30  # the facts stay; only the change goes
    # 60 against 30 engagements: +100 % when last week was whole, nothing when it was not
    assert o["growth_rate"] == (None if partial else pytest.approx(100.0))
    assert (o["growth"]["posts"] is None) is partial


@pytest.mark.parametrize(("first_day", "coverage"), [
    ("2026-11-09", "full"),     # W46's Monday: all of last week
    ("2026-11-15", "partial"),  # W46's Sunday: its last day only
    ("2026-11-16", "none"),     # W47's Monday: the report week itself
    ("2026-11-18", "none"),     # the reviewer's case: a first report, data from Wednesday
])
def test_previous_coverage_is_full_partial_or_none(load, first_day: str, coverage: str) -> None:
    con = load(FLORIST, [
        post("late-start", "instagram", "first", f"{first_day}T10:00:00Z", views=1_000,
             likes=30, observed_on="2026-11-23"),
        post("late-start", "instagram", "new", "2026-11-20T10:00:00Z", views=1_000, likes=60,
             observed_on="2026-11-23"),
    ])
    o = build_report(con, "late-start", "2026-W47", "2026-11-23").to_dict()["overview"]
    assert o["previous_coverage"] == coverage
    assert o["previous_partial"] is (coverage != "full")  # kept as it was


def test_a_week_under_way_is_judged_on_the_days_it_is_compared_with(load) -> None:
    """Seen on W47's Wednesday, W47 is compared with Mon–Wed of W46: data from W46's Thursday
    covers none of those days."""
    con = load(FLORIST, [post("late-start", "instagram", "a", "2026-11-12T10:00:00Z",
                              views=1_000, likes=30, observed_on="2026-11-18"),
                         post("late-start", "instagram", "b", "2026-11-17T10:00:00Z",
                              views=500, likes=20, observed_on="2026-11-18")])
    doc = build_report(con, "late-start", "2026-W47", "2026-11-18").to_dict()
    o = doc["overview"]
    assert (o["previous"]["start"], o["previous"]["end"]) == ("2026-11-09", "2026-11-11")
    assert o["previous_coverage"] == "none"
    # the card names the days it was compared with, not the whole of last week (which the
    # data, from its Thursday, partly covers)
    from analytics import render
    from analytics.render import charts

    html = render.render_html(doc, charts=charts.render_charts(doc, ["svg"]))
    card = text(BeautifulSoup(html, "html.parser").select_one('.card[data-metric="growth_rate"]'))
    assert "the same 3 days of last week not covered: data starts 12 Nov 2026" in card, card


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> Path:
    from analytics import warehouse

    tmp = tmp_path_factory.mktemp("partial")
    con = warehouse.connect(tmp / "w.duckdb")
    try:
        results = ingest_paths(con, [CASE / "businesses.csv", CASE / "posts.csv"],
                               rejects_dir=tmp / "rejects", today=date(2026, 11, 23))
        assert not [r for r in results if r.error or r.rejects]
        run_batch(con, ["late-start"], Period.parse("2026-W47"), date(2026, 11, 23),
                  RenderOptions(out=tmp / "out", formats=("html", "pdf", "json")), jobs=0)
    finally:
        con.close()
    return tmp / "out"


def test_the_card_says_last_week_was_only_partly_covered(rendered: Path) -> None:
    folder = rendered / "late-start" / "2026-W47"
    soup = BeautifulSoup((folder / "report.html").read_text(), "html.parser")
    card = soup.select_one('.card[data-metric="growth_rate"]')
    assert text(card.select_one(".value")) == "–"  # no +566.7 %
    assert ("200 engagements; no comparison: last week only partly covered: data starts "
            "11 Nov 2026") in text(card)
    for metric in ("total_posts", "total_reach", "avg_engagement_rate"):
        line = text(soup.select_one(f'.card[data-metric="{metric}"] .change'))
        assert line == "· last week only partly covered", metric
    appendix = text(soup.select_one("#appendix"))
    assert "Empty too when the previous period began before your data starts" in appendix
    pdf = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(folder / "report.pdf")
                   .pages)
    assert "no comparison: last week only partly covered: data starts 11 Nov 2026" in pdf
    assert "+566" not in pdf and "566.7" not in pdf


def test_the_agency_index_says_so_too(rendered: Path) -> None:
    soup = BeautifulSoup((rendered / "index.html").read_text(), "html.parser")
    change = soup.select_one('#latest tr[data-business="late-start"] td.num.partial')
    assert change is not None
    assert text(change) == "– last week only partly covered: data starts 11 Nov 2026"


def test_report_json_records_it_and_matches_the_schema(rendered: Path) -> None:
    doc = json.loads((rendered / "late-start" / "2026-W47" / "report.json").read_bytes())
    assert doc["overview"]["previous_partial"] is True
    assert doc["overview"]["growth_rate"] is None
    assert set(doc["overview"]["growth"].values()) == {None}
    jsonschema.Draft202012Validator(report_schema()).validate(doc)
    schema = report_schema()["$defs"]["OverviewDoc"]
    assert schema["properties"]["previous_partial"] == {"type": "boolean"}
    assert doc["overview"]["previous_coverage"] == "partial"
    assert schema["properties"]["previous_coverage"] == {"type": "string"}


def email_texts(report: Path) -> tuple[str, str]:
    """The plain and HTML parts of the weekly email for ``report`` (a report.json), as text
    with its spaces folded."""
    from datetime import UTC, datetime

    from analytics.delivery.deliver import compose

    message = compose(json.loads(report.read_bytes()), "owner@example.com", b"%PDF-1.7",
                      "reports@agency.example", datetime(2026, 11, 23, 7, tzinfo=UTC))
    plain = " ".join(message.get_body(("plain",)).get_content().split())
    html = " ".join(BeautifulSoup(message.get_body(("html",)).get_content(), "html.parser")
                    .get_text(" ").split())
    return plain, html


def test_the_email_says_why_there_is_no_change(rendered: Path) -> None:
    for body in email_texts(rendered / "late-start" / "2026-W47" / "report.json"):
        assert "No change is shown: last week was only partly covered" in body
        assert "data starts 11 Nov 2026" in body


# --- the reviewer's case: the data starts inside the report week (a first report) ------------


@pytest.fixture(scope="module")
def first_report(tmp_path_factory) -> Path:
    """New Co's first post is on Wed 18 Nov, inside W47: last week is not covered at all.
    W47 as of 23 Nov: 2 posts, 20 + 40 = 60 engagements."""
    from analytics import warehouse

    tmp = tmp_path_factory.mktemp("first")
    businesses = write_csv(tmp / "b.csv", BUSINESS_COLUMNS, [
        {"business_id": "newco", "name": "New Co", "timezone": "UTC",
         "recipients": "a@newco.example"}])
    posts = write_csv(tmp / "p.csv", POST_COLUMNS, [
        post("newco", "instagram", "1", "2026-11-18T10:00:00Z", views=500, likes=20,
             observed_on="2026-11-23"),
        post("newco", "instagram", "2", "2026-11-20T10:00:00Z", views=800, likes=40,
             observed_on="2026-11-23")])
    con = warehouse.connect(tmp / "w.duckdb")
    try:
        results = ingest_paths(con, [businesses, posts], rejects_dir=tmp / "rejects",
                               today=date(2026, 11, 23))
        assert not [r for r in results if r.error or r.rejects]
        run_batch(con, ["newco"], Period.parse("2026-W47"), date(2026, 11, 23),
                  RenderOptions(out=tmp / "out", formats=("html", "pdf", "json")), jobs=0)
    finally:
        con.close()
    return tmp / "out"


def test_a_first_report_says_not_covered_everywhere(first_report: Path) -> None:
    folder = first_report / "newco" / "2026-W47"
    doc = json.loads((folder / "report.json").read_bytes())
    assert doc["overview"]["previous_coverage"] == "none"
    assert doc["period"]["data_start"] == "2026-11-18"
    soup = BeautifulSoup((folder / "report.html").read_text(), "html.parser")
    card = text(soup.select_one('.card[data-metric="growth_rate"]'))
    assert "60 engagements; no comparison: last week not covered: data starts 18 Nov 2026" in card
    for metric in ("total_posts", "total_reach", "avg_engagement_rate"):
        line = text(soup.select_one(f'.card[data-metric="{metric}"] .change'))
        assert line == "· last week not covered", metric
    appendix = text(soup.select_one("#appendix"))
    assert "this time it was not covered" in appendix
    pdf = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(folder / "report.pdf")
                   .pages)
    assert "no comparison: last week not covered: data starts 18 Nov 2026" in pdf
    assert "after that period ended, so it was not covered" in pdf
    assert "only partly covered" not in pdf
    index = BeautifulSoup((first_report / "index.html").read_text(), "html.parser")
    change = index.select_one('#latest tr[data-business="newco"] td.num.partial')
    assert text(change) == "– last week not covered: data starts 18 Nov 2026"


def test_a_first_report_email_says_not_covered(first_report: Path) -> None:
    for body in email_texts(first_report / "newco" / "2026-W47" / "report.json"):
        assert "No change is shown: last week was not covered" in body
        assert "data starts 18 Nov 2026" in body
        assert "partly" not in body


def test_an_older_stamp_without_the_key_is_worded_by_the_same_rule(first_report: Path,
                                                                   tmp_path: Path) -> None:
    """A report stamped before ``previous_coverage`` existed (only ``previous_partial``) is
    still listed in the index as "not covered" when its data starts after last week."""
    import shutil

    from analytics.render.index import write_index

    out = tmp_path / "out"
    shutil.copytree(first_report, out)
    stamp_path = out / "newco" / "2026-W47" / ".render.json"
    stamp = json.loads(stamp_path.read_bytes())
    assert stamp.pop("previous_coverage") == "none"
    stamp_path.write_text(json.dumps(stamp))
    write_index(out)
    index = BeautifulSoup((out / "index.html").read_text(), "html.parser")
    change = index.select_one('#latest tr[data-business="newco"] td.num.partial')
    assert text(change) == "– last week not covered: data starts 18 Nov 2026"
