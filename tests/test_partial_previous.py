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
from conftest import post

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
    assert doc["period"]["data_start"] == first_day
    assert o["previous"]["total_engagement"] == 30  # the facts stay; only the change goes
    # 60 against 30 engagements: +100 % when last week was whole, nothing when it was not
    assert o["growth_rate"] == (None if partial else pytest.approx(100.0))
    assert (o["growth"]["posts"] is None) is partial


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


def test_the_email_says_why_there_is_no_change(rendered: Path) -> None:
    from datetime import UTC, datetime

    from analytics.delivery.deliver import compose

    doc = json.loads((rendered / "late-start" / "2026-W47" / "report.json").read_bytes())
    message = compose(doc, "owner@florist.example", b"%PDF-1.7", "reports@agency.example",
                      datetime(2026, 11, 23, 7, tzinfo=UTC))
    plain = " ".join(message.get_body(("plain",)).get_content().split())
    html = " ".join(BeautifulSoup(message.get_body(("html",)).get_content(), "html.parser")
                    .get_text(" ").split())
    for body in (plain, html):
        assert "No change is shown: last week was only partly covered" in body
        assert "data starts 11 Nov 2026" in body
