"""The report and the email on a phone (390 px) and a laptop (1280 px), measured in a real
browser: Debian's chromium, driven by Python playwright (no browser download). Chart text is
at least 10 px, the post table shows its numbers inside the screen, the email's cards stack
two by two without clipping, and the page never scrolls sideways."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest
from playwright.sync_api import Browser, sync_playwright

from analytics.delivery.deliver import compose
from conftest import DEMO_PERIOD

CHROMIUM = "/usr/bin/chromium"
WIDTHS = (390, 1280)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM,
                                    args=["--headless", "--no-sandbox", "--disable-gpu"])
        yield browser
        browser.close()


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
