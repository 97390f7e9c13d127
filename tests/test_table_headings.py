"""The report's platform, content-type and post tables take their headings from the report
model's rows (``Record.LABELS``, issue 9 item 3): one declaration, no heading written by hand in
a template."""

from __future__ import annotations

import re
from pathlib import Path

from bs4 import BeautifulSoup

from analytics.metrics.results import ContentTypeRow, PlatformRow, PostRow
from analytics.records import Column
from conftest import DEMO_PERIOD

TEMPLATES = Path(__file__).resolve().parents[1] / "analytics" / "render" / "templates"


def test_the_post_table_columns_are_read_off_the_row() -> None:
    # worked out by hand from PostRow: LABELS' order (the title before the platform, unlike
    # the JSON), numbers where the field is an int or a float
    assert PostRow.table_columns() == (
        Column("rank", "#", True), Column("title", "Title", False),
        Column("platform", "Platform", False), Column("content_type", "Type", False),
        Column("published_at", "Published", False), Column("views", "Views", True),
        Column("engagement", "Engagement", True), Column("engagement_rate", "ER", True),
        Column("ctr", "CTR", True))
    assert [c.numeric for c in ContentTypeRow.table_columns()] == [False, True, True, True]


def headings(soup: BeautifulSoup, selector: str) -> list[tuple[str, str | None]]:
    return [(th.get_text(strip=True), th.get("data-type"))
            for th in soup.select(f"{selector} thead th")]


def test_the_rendered_tables_carry_the_rows_headings(demo_reports: Path) -> None:
    html = (demo_reports / "harbour-yoga" / DEMO_PERIOD / "report.html").read_text()
    soup = BeautifulSoup(html, "html.parser")
    assert headings(soup, "table.platforms-table") == [
        (c.label, None) for c in PlatformRow.table_columns()]
    assert headings(soup, "table.types-table") == [
        (c.label, None) for c in ContentTypeRow.table_columns()]
    # the sortable post table: text or number sorting, as the field's type says
    assert headings(soup, "table#top-content") == [
        (c.label, "num" if c.numeric else "text") for c in PostRow.table_columns()]
    for th in soup.select("table.platforms-table thead th, table#top-content thead th"):
        assert th["scope"] == "col"


def test_no_template_writes_these_headings_by_hand() -> None:
    for name in ("_platforms.html.j2", "_content.html.j2"):
        source = (TEMPLATES / name).read_text()
        assert not re.search(r"<th[^>]*>\s*[^\s{<]", source), name
