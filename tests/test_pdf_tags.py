"""Issue 17: the PDF is tagged (PDF/UA-1): a structure tree a screen reader follows in the
report's order, headings, tables with header cells, the charts' alternative text, a title
and a language. Read back with pypdf (tests/pdf_structure.py).

What this covers: the tree exists and is complete enough to read the report in order, with
the overview cards' numbers, every table's headers and cells linked (/Headers), and a /Alt on
every figure; the catalog's /Lang, /MarkInfo, the displayed title and the PDF/UA claim in the
XMP metadata. What it cannot: the full Matterhorn Protocol (veraPDF is not packaged for Debian
or PyPI), e.g. that every drawn glyph is inside a tag or that fonts map to Unicode; and
whether a real screen reader announces it well."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from analytics.render import chart_text, charts, fmt_number, fmt_percent, fmt_signed
from conftest import DEMO_PERIOD
from pdf_structure import Element, structure


@pytest.fixture(scope="module")
def tagged(demo_reports: Path) -> tuple[dict, PdfReader, Element]:
    folder = demo_reports / "northwind-coffee" / DEMO_PERIOD
    reader = PdfReader(folder / "report.pdf")
    return json.loads((folder / "report.json").read_text()), reader, structure(reader)


def test_the_catalog_declares_a_tagged_pdf_ua_document(tagged) -> None:
    model, reader, _ = tagged
    root = reader.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"])
    assert root["/Lang"] == "en"
    assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"])
    assert reader.metadata.title == f"{model['business']['name']} · {DEMO_PERIOD} · content report"
    xmp = root["/Metadata"].get_object().get_data().decode()
    # PDF/UA-1's identification: pdfuaid:part="1" (or as an element)
    assert re.search(r'pdfuaid:part(="1"|>1</pdfuaid:part>)', xmp), xmp


def after(text: str, needles: list[str]) -> None:
    """Each of ``needles`` occurs in ``text``, in this order (no-break spaces read as spaces:
    a number keeps its unit with one, which some text extraction turns into a space)."""
    text = text.replace("\xa0", " ")
    at = 0
    for needle in (n.replace("\xa0", " ") for n in needles):
        found = text.find(needle, at)
        assert found >= 0, f"{needle!r} missing after …{text[max(0, at - 80):at]!r}"
        at = found + len(needle)


def test_reading_order_follows_the_report_with_the_cards_numbers(tagged) -> None:
    model, _, tree = tagged
    o = model["overview"]
    after(tree.text, [
        model["business"]["name"],
        "Overview",
        "POSTS", fmt_number(o["total_posts"]),
        "REACH", fmt_number(o["total_reach"]),
        "ENGAGEMENT RATE", fmt_percent(o["avg_engagement_rate"]),
        "ENGAGEMENT VS LAST WEEK", fmt_signed(o["growth_rate"], 1),
        # paper's compact "how to read this" comes under the cards it explains, and each
        # chart's numbers under the chart (no appendix left alone on a last page)
        "How to read this report", "12 weeks at a glance",
        "Engagement trend", "Engagement of the posts published each day",
        "Platforms", "Content performance", "Insights",
    ])
    headings = [(e.tag, e.text) for e in tree.walk() if e.tag in ("H1", "H2")]
    assert headings[:5] == [("H1", model["business"]["name"]), ("H2", "Overview"),
                            ("H2", "How to read this report"), ("H2", "12 weeks at a glance"),
                            ("H2", "Engagement trend")]
    # every card: its heading, then its number, inside one element
    cards = [e for e in tree.tags("Div") if e.children and e.children[0].tag == "H3"
             and e.children[0].text.isupper()]
    assert [c.children[1].text.replace("\xa0", " ") for c in cards[:4]] == [
        v.replace("\xa0", " ") for v in (
            fmt_number(o["total_posts"]), fmt_number(o["total_reach"]),
            fmt_percent(o["avg_engagement_rate"]), fmt_signed(o["growth_rate"], 1))]


def table_rows(table: Element) -> tuple[list[str], list[list[str]]]:
    head = next(c for c in table.children if c.tag == "THead")
    body = next(c for c in table.children if c.tag == "TBody")
    return ([th.text for th in head.tags("TH")],
            [[td.text for td in tr.children] for tr in body.children if tr.tag == "TR"])


def test_tables_have_tagged_headers_and_cells_in_order(tagged) -> None:
    model, _, tree = tagged
    tables = [t for t in tree.tags("Table") if any(c.tag == "THead" for c in t.children)]
    platforms = next(t for t in tables if table_rows(t)[0][:2] == ["PLATFORM", "POSTS"])
    header, rows = table_rows(platforms)
    assert header[:3] == ["PLATFORM", "POSTS", "VIEWS"]
    assert [(r[0], r[1]) for r in rows] == [
        (charts.platform_name(p["platform"]), fmt_number(p["posts"])) for p in model["platforms"]]
    # the top posts (their table may run on over a page, and a long title wraps at a hyphen)
    tops = [t for t in tables if table_rows(t)[0][:2] == ["#", "TITLE"]]
    assert [r[1].replace("- ", "-") for t in tops for r in table_rows(t)[1]] == [
        c["title"] for c in model["content"]]
    # every data cell names its header cells (/Headers → the TH's /ID)
    for table in tables:
        for td in table.tags("TD"):
            assert td.attributes.get("/Headers"), table.text[:60]


def test_charts_are_figures_with_their_alternative_text(tagged) -> None:
    model, _, tree = tagged
    texts = chart_text.describe(model)
    assert [f.alt for f in tree.tags("Figure")] == [
        texts["history"].alt, texts["trend"].alt, texts["platforms"].alt, texts["mix"].alt]
    # and the trend's numbers are in the appendix as a table, with its caption
    captions = [c.text for c in tree.tags("Caption")]
    assert any(c.startswith("Engagement of the posts published each day") for c in captions)
    trend = next(t for t in tree.tags("Table") if any(c.tag == "THead" for c in t.children)
                 and table_rows(t)[0][0] == "WEEK OF")
    header, weeks = table_rows(trend)
    assert header[1:] == ["MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"]
    # a week a row: the row's header (the Monday), then the seven days' engagement ("no
    # posts" on a day without posts, not 0)
    shown = [cell for week in weeks for cell in week[1:] if cell]
    assert shown == ["no posts" if t["posts"] == 0 else fmt_number(t["engagement"])
                     for t in model["trends"]]
