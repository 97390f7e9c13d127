"""The report and the email on a phone (390 px) and a laptop (1280 px), measured in a real
browser: Debian's chromium, driven by Python playwright (no browser download). Chart text is
at least 10 px, the post table shows its numbers inside the screen, the email's cards stack
two by two without clipping, and the page never scrolls sideways."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import orjson
import pytest

from analytics.delivery.deliver import compose
from browser import chromium
from conftest import DEMO_PERIOD

if TYPE_CHECKING:
    from playwright.sync_api import Browser

WIDTHS = (390, 1280)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    # the shared helper: Debian's chromium, and a clear "run make test-deps" when it is missing
    with chromium() as b:
        yield b


def open_page(browser: Browser, path: Path, width: int):
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(path.as_uri())
    return page


#: The smallest on-screen size of any chart text: its font size times the SVG's scale.
SMALLEST_CHART_TEXT = """() => Math.min(
    ...Array.from(document.querySelectorAll('figure.chart svg text'))
    .filter(t => t.getBoundingClientRect().width > 0)
    .map(t => { const m = t.getScreenCTM();  // rotated labels too: the scale is the norm
                return parseFloat(getComputedStyle(t).fontSize) * Math.hypot(m.a, m.b); }))"""

#: Per post-table row, where its views, engagement and ER cells are (0 wide: hidden).
NUMBER_CELLS = """() => Array.from(document.querySelectorAll('#top-content tbody tr')).map(row =>
    ['.col-views', '.col-engagement', '.col-er'].map(sel => {
        const r = row.querySelector(sel).getBoundingClientRect();
        return [r.left, r.right, r.width, row.querySelector(sel).textContent.trim()];
    }))"""


#: Elements that reach past the screen's right edge, outside the boxes that scroll sideways on
#: purpose (the charts and the heat map keep their drawn size and scroll inside the page).
OVERFLOWING = """(width) => Array.from(document.querySelectorAll('main *')).filter(el => {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.right <= width + 0.5) return false;
    for (let up = el.parentElement; up; up = up.parentElement) {
        const x = getComputedStyle(up).overflowX;
        if (x === 'auto' || x === 'scroll') return false;
    }
    return true;
}).map(el =>
    el.tagName + '.' + el.className + ' ' + Math.round(el.getBoundingClientRect().right))"""

#: The platform table: whether it scrolls, and per row each number cell's edges and text.
PLATFORM_CELLS = """() => {
    const table = document.querySelector('table.platforms-table');
    const rows = Array.from(table.querySelectorAll('tbody tr:not(.quiet), tfoot tr')).map(row =>
        [2, 3, 5, 6].map(i => {  // posts, views, engagement, eng. rate
            const cell = row.querySelector(`td:nth-child(${i})`), r = cell.getBoundingClientRect();
            return [r.left, r.right, r.width, cell.textContent.trim()];
        }));
    const meta = Array.from(table.querySelectorAll('tbody tr:not(.quiet) td:first-child'))
        .map(td => td.innerText.replace(/\\s+/g, ' ').trim());
    return {scrolls: table.scrollWidth > table.clientWidth + 1, rows: rows, first: meta};
}"""


@pytest.mark.parametrize("width", WIDTHS)
def test_the_platform_table_fits_without_scrolling(browser, demo_reports: Path, width) -> None:
    folder = demo_reports / "northwind-coffee" / DEMO_PERIOD
    model = orjson.loads((folder / "report.json").read_bytes())
    page = open_page(browser, folder / "report.html", width)
    try:
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        assert page.evaluate(OVERFLOWING, width) == []
        table = page.evaluate(PLATFORM_CELLS)
        assert not table["scrolls"]  # it fits: no sideways scrolling inside its box either
        posted = [p for p in model["platforms"] if p["posts"]]
        assert len(table["rows"]) == len(posted) + 1  # every platform with posts, and the total
        for cells, p in zip(table["rows"], posted, strict=False):
            assert cells[0][3] == str(p["posts"]) and cells[1][3] == f"{p['views']:,}"
            assert cells[2][3] == f"{p['engagement']:,}"
        for cells in table["rows"]:
            for left, right, cell_width, content in cells:
                assert cell_width > 0 and content, cells
                assert left >= 0 and right <= width, cells
        if width == 390:  # reach, CTR and share fold under the platform's name, not lost
            top = posted[0]
            reach = "–" if top["reach"] is None else f"{top['reach']:,}"
            assert f"reach {reach} · CTR {top['ctr']:.1f} %" in table["first"][0]
    finally:
        page.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_the_report_reads_on_a_phone_and_a_laptop(browser, demo_reports: Path, width) -> None:
    page = open_page(browser, demo_reports / "northwind-coffee" / DEMO_PERIOD / "report.html",
                     width)
    try:
        # nothing widens the page: wide charts scroll inside their own box
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        assert page.evaluate(SMALLEST_CHART_TEXT) >= 10 - 0.05
        rows = page.evaluate(NUMBER_CELLS)
        assert len(rows) == 22  # every post of the week
        for cells in rows:
            for left, right, cell_width, content in cells:
                assert cell_width > 0 and content, cells  # shown, not hidden or empty
                assert left >= 0 and right <= width, cells  # inside the screen
        page.screenshot(path=str(demo_reports / f"report-{width}.png"), full_page=True)
    finally:
        page.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_the_email_cards_stack_two_by_two_without_clipping(browser, demo_reports: Path,
                                                           tmp_path: Path, width) -> None:
    folder = demo_reports / "harbour-yoga" / DEMO_PERIOD
    report = orjson.loads((folder / "report.json").read_bytes())
    message = compose(report, "owner@harbour.example", b"%PDF-1.7", "reports@agency.example",
                      datetime(2026, 11, 23, 7, tzinfo=UTC))
    body = tmp_path / "email.html"
    body.write_text(message.get_body(("html",)).get_content(), encoding="utf-8")
    page = open_page(browser, body, width)
    try:
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        cards = page.evaluate("""() => Array.from(document.querySelectorAll('td'))
            .filter(td => td.querySelector(':scope > p') && td.style.width === '50%')
            .map(td => { const r = td.getBoundingClientRect();
                         const v = td.querySelectorAll('p')[1];
                         return [Math.round(r.top), r.right, v.scrollWidth, v.clientWidth]; })""")
        assert len(cards) == 4
        assert len({top for top, *_ in cards}) == 2  # two rows of two
        for _, right, needed, shown in cards:
            assert right <= width and needed <= shown  # the number fits in its card
    finally:
        page.close()
