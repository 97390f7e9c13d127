"""The HTML dashboard, parsed: every section, the model's numbers, the sort/filter script, and
a self-contained page (nothing loaded from anywhere)."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from analytics import config, render
from analytics.render import charts
from conftest import DEMO_PERIOD

SECTIONS = ("header", "overview", "history", "trends", "platforms", "content", "insights",
            "hashtags", "experiments", "benchmarks", "sentiment", "appendix")


def load(out: Path, business_id: str) -> tuple[dict, BeautifulSoup]:
    folder = out / business_id / DEMO_PERIOD
    model = json.loads((folder / "report.json").read_text())
    return model, BeautifulSoup((folder / "report.html").read_text(), "html.parser")


def text(node) -> str:
    return " ".join(node.get_text(" ").split())


@pytest.mark.parametrize("business_id", ["northwind-coffee", "harbour-yoga"])
def test_every_section_is_there_in_order(demo_reports: Path, business_id: str) -> None:
    _, soup = load(demo_reports, business_id)
    ids = [node["id"] for node in soup.select("main > [id]")]
    # benchmarks only for a business with competitors (the demo's first business has one)
    assert ids == [s for s in SECTIONS
                   if s != "benchmarks" or business_id == "northwind-coffee"]
    assert soup.select_one("h1.business-name").get_text() == soup.title.get_text().split(" · ")[0]
    for name in ("trend", "platforms", "mix", "history"):
        assert soup.select_one(f"figure.chart-{name} svg") is not None, name


def test_overview_cards_show_the_models_numbers(demo_reports: Path) -> None:
    model, soup = load(demo_reports, "northwind-coffee")
    o = model["overview"]
    cards = {card["data-metric"]: card for card in soup.select("#overview .card")}
    assert list(cards) == ["total_posts", "total_reach", "avg_engagement_rate", "growth_rate"]
    assert text(cards["total_posts"].select_one(".value")) == f"{o['total_posts']:,}"
    assert text(cards["total_reach"].select_one(".value")) == f"{o['total_reach']:,}"
    assert text(cards["avg_engagement_rate"].select_one(".value")) == \
        f"{o['avg_engagement_rate']:.1f} %"
    growth = o["growth_rate"]
    assert text(cards["growth_rate"].select_one(".value")) == \
        f"{'+' if growth > 0 else '−'}{abs(growth):.1f} %"
    # the change against the previous period: arrow and colour class follow its sign
    posts_change = cards["total_posts"].select_one(".change")
    expected = "up" if o["growth"]["posts"] > 0 else "down"
    assert expected in posts_change["class"]
    assert posts_change.select_one(".arrow").get_text() == ("▲" if expected == "up" else "▼")
    assert f"vs {o['previous']['total_posts']:,}" in text(posts_change)
    # platforms without reach are named, not silently counted
    assert "X and YouTube" in text(cards["total_reach"])


def test_platform_table_and_top_content_match_the_model(demo_reports: Path) -> None:
    model, soup = load(demo_reports, "northwind-coffee")
    rows = soup.select("#platforms tbody tr")
    assert [r["data-platform"] for r in rows] == [p["platform"] for p in model["platforms"]]
    for row, p in zip(rows, model["platforms"], strict=True):
        cells = [text(td) for td in row.find_all("td")]
        assert cells[1:5] == [f"{p['posts']:,}", f"{p['views']:,}",
                              "–" if p["reach"] is None else f"{p['reach']:,}",
                              f"{p['engagement']:,}"]
        assert cells[5] == f"{p['engagement_rate']:.1f} %"
    # the HTML lists every post of the period, the ranked ones first in rank order
    content = soup.select("#top-content tbody tr")
    assert len(content) == len(model["posts"]) == model["overview"]["total_posts"]
    assert len(model["content"]) == 10
    for row, c in zip(content, model["content"], strict=False):
        cells = row.find_all("td")
        assert text(cells[1]).startswith(c["title"])  # platform and day follow, for phones
        assert cells[5]["data-value"] == str(c["views"])
        assert float(cells[7]["data-value"]) == pytest.approx(c["engagement_rate"])


def test_recommendations_and_notes_carry_their_evidence(demo_reports: Path) -> None:
    model, soup = load(demo_reports, "harbour-yoga")
    recs = soup.select("#insights .rec")
    assert recs and len(recs) == len(model["insights"]["recommendations"])
    for node, rec in zip(recs, model["insights"]["recommendations"], strict=True):
        assert rec["claim"] in text(node.select_one(".claim"))
        assert text(node.select_one(".evidence")) == f"Evidence: {rec['evidence_text']}"
        assert f"{rec['confidence']} confidence" in text(node.select_one(".badge"))
    notes = [text(li) for li in soup.select("#insights .notes li")]
    assert notes == [n["text"] for n in model["insights"]["notes"]]


@pytest.mark.parametrize("business_id", ["northwind-coffee", "harbour-yoga"])
def test_evidence_speaks_plainly_and_the_statistics_wait_in_the_details(
        demo_reports: Path, business_id: str) -> None:
    model, soup = load(demo_reports, business_id)
    recs = model["insights"]["recommendations"]
    assert recs
    for node, rec in zip(soup.select("#insights .rec"), recs, strict=True):
        shown = text(node.select_one(".evidence"))
        assert "false-discovery" not in shown.lower() and "q =" not in shown
        assert f"checking all {rec['evidence']['comparisons']} comparisons" in shown
        details = node.select_one("details.evidence-details")
        assert details is not None and not details.has_attr("open")  # closed until asked
        assert text(details.summary) == "How this was tested"
        hidden = text(details)
        assert "false-discovery rate at 5 %" in hidden and "Benjamini–Hochberg" in hidden
        assert f"q = {rec['evidence']['q_value']:.2g}" in hidden
        assert rec["evidence_detail"] in hidden
    # the PDF: plain evidence under each claim, the false-discovery rate in "how to read this"
    from pypdf import PdfReader
    pdf = PdfReader(demo_reports / business_id / DEMO_PERIOD / "report.pdf")
    pages = "".join("".join(page.extract_text().split()) for page in pdf.pages)  # lines wrap
    end = pages.index("Whenyourpostsdobest")
    insights = pages[pages.rindex("Recommendations", 0, end):end]  # the section's heading
    assert "Evidence:" in insights and "false-discovery" not in insights
    # "how to read this" sits under the cards, before the history
    howto = pages[pages.index("Howtoreadthisreport"):pages.index("weeksataglance")]
    assert "false-discoveryrateheldat5%" in howto


def test_heat_map_marks_thin_and_recommended_windows(demo_reports: Path) -> None:
    model, soup = load(demo_reports, "harbour-yoga")
    windows = model["insights"]["best_posting_times"]
    cells = soup.select("table.heat tbody td")
    assert len(cells) == len(windows) == 56
    for cell, window in zip(cells, windows, strict=True):
        assert ("thin" in cell["class"]) == window["thin"]
        assert ("best" in cell["class"]) == window["recommended"]
        if window["posts"]:
            assert f"{window['posts']} post" in text(cell)
    # the planted effect: Tuesday 18:00–21:00 is recommended, and starred
    best = [c for c, w in zip(cells, windows, strict=True) if w["recommended"]]
    assert any("Tuesday 18:00–21:00" in c["title"] and "★" in text(c) for c in best)


def test_the_table_sorts_and_filters_with_an_inline_script(demo_reports: Path) -> None:
    _, soup = load(demo_reports, "northwind-coffee")
    table = soup.select_one("table#top-content")
    assert "sortable" in table["class"]
    assert [th.get("data-type") for th in table.select("thead th")] == \
        ["num", "text", "text", "text", "text", "num", "num", "num", "num"]
    select = soup.select_one('select[data-filter-for="top-content"]')
    options = [o["value"] for o in select.find_all("option")]
    assert options[0] == "" and set(options[1:]) == {r["data-platform"] for r in
                                                     table.select("tbody tr")}
    script = soup.find("script").string
    assert "table.sortable" in script and "data-filter-for" in script
    assert "aria-sort" in script


def test_the_page_is_self_contained(demo_reports: Path) -> None:
    _, soup = load(demo_reports, "northwind-coffee")
    assert not soup.select("script[src], link[rel=stylesheet], iframe, object, embed")
    for node in soup.select("[src]"):
        assert node["src"].startswith("data:"), node
    styles = "".join(s.string for s in soup.find_all("style"))
    assert "url(" not in styles and "@import" not in styles
    # links only on post titles, to the post itself, opened by the reader's choice
    for a in soup.select("a[href]"):
        assert a["href"].startswith("https://") and a.find_parent("table", id="top-content")


def test_appendix_defines_every_metric_shown(demo_reports: Path) -> None:
    _, soup = load(demo_reports, "northwind-coffee")
    terms = [text(dt) for dt in soup.select("#appendix dt")]
    for term in ("Engagement", "Engagement rate (a post)", "CTR (click-through rate)",
                 "Avg engagement rate", "Total reach", "Growth rate", "Top posts",
                 "Best posting times", "Recommendations"):
        assert term in terms
    definitions = text(soup.select_one("#appendix"))
    assert "engagement ÷ views × 100" in definitions
    assert f"never fewer than {config.MIN_VIEWS_FOR_RANKING} views" in definitions
    assert "median post" in definitions
    assert "views 25,000 and engagement 1,250 give 5.0 %" in definitions


def test_templates_folder_overrides_one_file(demo_reports: Path, tmp_path: Path) -> None:
    model, _ = load(demo_reports, "northwind-coffee")
    mine = tmp_path / "mine"
    mine.mkdir()
    header = (config.TEMPLATES_DIR / "_header.html.j2").read_text()
    (mine / "_header.html.j2").write_text(header.replace("Content report", "Weekly digest"))
    drawn = charts.render_charts(model, ["svg"])
    html = render.render_html(model, charts=drawn, templates=mine,
                              generated_at=datetime(2026, 11, 23, tzinfo=UTC))
    soup = BeautifulSoup(html, "html.parser")
    assert text(soup.select_one(".kicker")).startswith("Weekly digest")
    assert soup.select_one("#appendix") is not None  # the rest still comes from ours


def test_a_misspelt_key_in_a_template_is_an_error(demo_reports: Path, tmp_path: Path) -> None:
    model, _ = load(demo_reports, "northwind-coffee")
    mine = tmp_path / "mine"
    shutil.copytree(config.TEMPLATES_DIR, mine)
    cards = mine / "_cards.html.j2"
    cards.write_text(cards.read_text().replace("o.total_posts | number", "o.total_post | number"))
    with pytest.raises(Exception, match="total_post"):
        render.render_html(model, charts=charts.render_charts(model, ["svg"]), templates=mine)
