"""Nothing clipped, nothing off the page, on phones too (issue 11, items 8 and 9).

One hostile business — a 120-character business name without a space, a 300-character title
without a space (one long hashtag), Japanese, emoji, ordinary hashtags and a reach near a
billion — rendered as HTML, PDF, the email body and index.html, then measured: in a real
Chromium at 390 and 1280 px (the page never scrolls sideways, every card's number sits whole
inside its card on one line), and in the PDF read back with poppler (every hashtag-table
column is there, every card's value is whole, on the page and clear of the next card's)."""

from __future__ import annotations

import html
import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import orjson
import pytest

from analytics.delivery.deliver import compose
from analytics.metrics.period import Period
from analytics.render import fmt_number, fmt_percent, fmt_signed
from analytics.render.batch import RenderOptions, run_batch
from analytics.render.charts import compact_number
from browser import chromium
from conftest import BUSINESS_COLUMNS, POST_COLUMNS, post, write_csv

NAME = "Supercalifragilistic" * 6  # 120 characters, no space
LONG_TAG = "#" + ("verylonghashtagrun" * 17)[:299]  # 300 characters, no space: one hashtag
JAPANESE = ("新メニュー登場！季節限定の抹茶ラテと桜餅セットを本日から販売開始しました🍵🌸 "
            "#抹茶 #桜 #東京カフェ")
EMOJI = "🎉🎉🎉 Big news!!! 🚀🔥💯 We hit 1M views 😍😍😍 👨‍👩‍👧‍👦🏳️‍🌈 #bignews #milestone"
REACH = 976_543_210  # near a billion: the widest number a card shows
WIDTHS = (390, 1280)
BUSINESS = "hostile"
PERIOD = "2026-W47"


def hostile_posts() -> list[dict]:
    b = BUSINESS
    return [
        post(b, "instagram", "long", "2026-11-17T10:00:00Z", views=987_654_321, reach=REACH,
             likes=12_345_678, shares=2_345_678, comments=345_678, clicks=45_678_901,
             title=LONG_TAG),
        post(b, "facebook", "jp", "2026-11-18T10:00:00Z", views=123_456_789, likes=9_876_543,
             shares=1_234_567, comments=234_567, clicks=3_456_789, content_type="video",
             title=JAPANESE),
        post(b, "x", "emoji", "2026-11-19T10:00:00Z", views=5_000_000, likes=400_000,
             shares=20_000, comments=10_000, clicks=30_000, content_type="text", title=EMOJI),
        post(b, "tiktok", "tiny", "2026-11-20T10:00:00Z", views=225, likes=80, shares=10,
             comments=10, clicks=5, content_type="video", title="#tiny #bignews"),
        # the week before: far more engagement, so the changes are negative (true minus signs)
        # (on the week's Monday: the business's data covers the whole of last week)
        post(b, "instagram", "prev", "2026-11-09T10:00:00Z", views=999_999_999,
             reach=900_000_000, likes=99_999_999, shares=9_999_999, comments=999_999,
             clicks=9_999_999, title="last week #milestone"),
    ]


@dataclass(frozen=True)
class Rendered:
    folder: Path  # reports/<business>/<period>/
    index: Path
    email: Path
    report: dict


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Rendered:
    from analytics import warehouse
    from analytics.ingest import ingest_paths

    tmp = tmp_path_factory.mktemp("overflow")
    assert len(NAME) == 120 and len(LONG_TAG) == 300 and " " not in NAME + LONG_TAG
    con = warehouse.connect(tmp / "w.duckdb")
    business = {"business_id": BUSINESS, "name": NAME, "timezone": "UTC", "recipients": ""}
    files = [write_csv(tmp / "businesses.csv", BUSINESS_COLUMNS, [business]),
             write_csv(tmp / "posts.csv", POST_COLUMNS, hostile_posts())]
    ingest_paths(con, files, rejects_dir=tmp / "rejects", today=date(2026, 11, 30))
    result = run_batch(con, [BUSINESS], Period.parse(PERIOD), date(2026, 11, 30),
                       RenderOptions(out=tmp / "out", formats=("html", "pdf", "json")), jobs=0)
    con.close()
    assert [o.status for o in result.outcomes] == ["written"], result.outcomes
    folder = tmp / "out" / BUSINESS / PERIOD
    report = orjson.loads((folder / "report.json").read_bytes())
    assert report["overview"]["total_reach"] == REACH
    assert report["overview"]["growth_rate"] < -10  # a wide negative card: "−75.8 %"
    # the long tag is in the table (tags are stored up to 100 characters)
    assert max(len(t["tag"]) for t in report["hashtags"]) == 100
    message = compose(report, "owner@hostile.example", b"%PDF-1.7", "reports@agency.example",
                      datetime(2026, 11, 30, 7, tzinfo=UTC))
    email = tmp / "email.html"
    email.write_text(message.get_body(("html",)).get_content(), encoding="utf-8")
    return Rendered(folder, tmp / "out" / "index.html", email, report)


def card_values(report: dict) -> list[str]:
    """The four cards' values as the report prints them, left to right."""
    o = report["overview"]
    return [fmt_number(o["total_posts"]), fmt_number(o["total_reach"]),
            fmt_percent(o["avg_engagement_rate"]), fmt_signed(o["growth_rate"], 1)]


# --- in a real browser ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def browser() -> Iterator:
    with chromium() as b:
        yield b


#: Per card: its box, its value's text box (a Range: the glyphs, not the block), the value's
#: number of line boxes and its text. `cards` and `value` are CSS selectors.
CARD_BOXES = """([cards, value]) => Array.from(document.querySelectorAll(cards)).map(card => {
    const v = card.querySelector(value);
    const range = document.createRange();
    range.selectNodeContents(v);
    const c = card.getBoundingClientRect(), t = range.getBoundingClientRect();
    const lines = new Set(Array.from(range.getClientRects()).map(r => Math.round(r.top)));
    return {card: [c.left, c.right], text: [t.left, t.right], lines: lines.size,
            value: v.textContent.trim()};
})"""

#: What each page calls a card and its value. The email's cards are table cells (email
#: clients ignore classes in <style>): the 50 % wide cells, their second paragraph.
CARDS = {"report": (".card", ".value"), "email": ("td[style*='width:50%']", "p:nth-of-type(2)")}


def open_at(browser, path: Path, width: int):
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(path.as_uri())
    return page


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("which", ["report", "email"])
def test_every_card_value_sits_whole_inside_its_card(browser, rendered: Rendered, which: str,
                                                    width: int) -> None:
    path = rendered.folder / "report.html" if which == "report" else rendered.email
    page = open_at(browser, path, width)
    try:
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        cards = page.evaluate(CARD_BOXES, list(CARDS[which]))
        assert len(cards) == 4, cards
        expected = card_values(rendered.report)
        for card, value in zip(cards, expected, strict=True):
            (left, right), (text_left, text_right) = card["card"], card["text"]
            assert card["value"].replace("\xa0", " ") == value.replace("\xa0", " "), card
            assert left <= text_left and text_right <= right <= width, (which, width, card)
            assert card["lines"] == 1, (which, width, card)  # never "976,543,2 / 10"
    finally:
        page.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_the_report_keeps_every_table_number_inside_its_section(browser, rendered: Rendered,
                                                              width: int) -> None:
    """The hashtags table with its 300-character tag: at 1280 px its last columns ("0.24×",
    the verdict) are inside the page; on a phone the table scrolls inside its own box."""
    page = open_at(browser, rendered.folder / "report.html", width)
    try:
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        header = page.evaluate("""() => { const r = document.querySelector('.masthead')
            .getBoundingClientRect(); return [r.left, r.right]; }""")
        assert header[0] >= 0 and header[1] <= width
        if width >= 1280:
            cells = page.evaluate("""() => { const box = document.querySelector('#hashtags')
                .getBoundingClientRect();
                return Array.from(document.querySelectorAll('.hashtags-table td')).map(td => {
                    const r = td.getBoundingClientRect();
                    return [r.left >= box.left - 0.5 && r.right <= box.right + 0.5,
                            td.textContent.trim().slice(0, 30)]; }); }""")
            assert cells and all(inside for inside, _ in cells), cells
    finally:
        page.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_index_fits_the_screen(browser, rendered: Rendered, demo_reports: Path,
                               width: int) -> None:
    for index in (demo_reports / "index.html", rendered.index):
        page = open_at(browser, index, width)
        try:
            assert page.evaluate("document.documentElement.scrollWidth") <= width, index
            # every cell (the 120-character name too) inside the page's white card
            outside = page.evaluate("""() => { const box = document.querySelector('main')
                .getBoundingClientRect();
                return Array.from(document.querySelectorAll('td')).filter(td => {
                    const r = td.getBoundingClientRect();
                    return r.width > 0 && (r.left < box.left - 0.5 || r.right > box.right + 0.5
                                           || td.scrollWidth > td.clientWidth + 1); })
                    .map(td => td.textContent.trim().slice(0, 40)); }""")
            assert outside == [], (index, width)
        finally:
            page.close()


# --- the PDF, read back ---------------------------------------------------------------------

@dataclass(frozen=True)
class Word:
    page: int
    text: str
    left: float
    top: float
    right: float
    bottom: float


def pdf_words(pdf: Path) -> tuple[float, list[Word]]:
    """The page width and every word of the PDF with its box in points (poppler's
    ``pdftotext -bbox``, Debian poppler-utils)."""
    out = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True,
                         check=True).stdout
    width = float(re.search(r'<page width="([\d.]+)"', out)[1])
    found = []
    for number, page in enumerate(out.split("<page ")[1:], start=1):
        for m in re.finditer(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" '
                             r'yMax="([\d.]+)">(.*?)</word>', page):
            found.append(Word(number, html.unescape(m[5]), float(m[1]), float(m[2]),
                              float(m[3]), float(m[4])))
    return width, found


def test_the_pdf_keeps_every_column_and_every_card_value(rendered: Rendered) -> None:
    pdf = rendered.folder / "report.pdf"
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout.replace("\xa0", " ")
    assert "too few posts to test" in " ".join(text.split())
    for value in card_values(rendered.report):
        assert value.replace("\xa0", " ") in text, value
    assert "−75.8 %" in text  # a true minus sign, the unit with its number

    width, words = pdf_words(pdf)
    # the long tag is broken across lines in its own column, not cut: all of it is there
    head = next(w for w in words if w.text == "HASHTAG")
    # every column heading of the hashtags table (some on two lines), on the page
    headings = {w.text for w in words if w.page == head.page and head.top - 12 < w.top
                < head.bottom + 12}
    assert headings >= {"HASHTAG", "POSTS", "VIEWS", "ENGAGEMENT", "ENG.", "RATE", "VS",
                        "TYPICAL", "VERDICT"}, headings
    posts = next(w for w in words if w.page == head.page and w.text == "POSTS"
                 and abs(w.top - head.top) < 1)
    pieces = [w for w in words if w.page == head.page and w.top > head.bottom
              and w.right <= posts.left and len(w.text) > 3 and w.text in LONG_TAG]
    tag = "#" + max((t["tag"] for t in rendered.report["hashtags"]), key=len)
    assert "".join(w.text for w in pieces)[:len(tag)] == tag, pieces[:3]
    margin = 15 / 25.4 * 72  # the @page side margins, 15 mm
    # nothing anywhere is pushed into the margin or off the page (a little slack for glyphs)
    stray = [w for w in words if w.left < margin - 2 or w.right > width - margin + 2]
    assert stray == [], stray[:5]
    # each card's value: found whole on page 1, on the page, clear of the next card's value
    boxes = []
    for value in card_values(rendered.report):
        value = value.replace("\xa0", " ")
        first = value.split()[0]
        candidates = [w for w in words if w.page == 1 and w.text.replace("\xa0", " ")
                      .split()[0] == first]
        assert candidates, value
        start = max(candidates, key=lambda w: w.bottom - w.top)  # the value's large type
        line = sorted((w for w in words if w.page == 1 and abs(w.top - start.top) < 1
                       and w.left >= start.left), key=lambda w: w.left)
        shown = ""
        for end in line:  # the value's words, left to right, until it is whole
            shown = f"{shown} {end.text.replace(chr(0xa0), ' ')}".strip()
            if len(shown) >= len(value):
                break
        assert shown == value, (value, line[:3])
        boxes.append((start.left, end.right, value))
    # left to right, each value ends before the next one starts; the last before the margin
    ahead = [*boxes[1:], (width - margin + 2, 0.0, "the right margin")]
    for (left, right, value), (next_left, _, next_value) in zip(boxes, ahead, strict=True):
        assert margin - 2 <= left, value
        assert right < next_left, (value, right, next_value, next_left)


# --- the charts' number formatter --------------------------------------------------------------

@pytest.mark.parametrize(("value", "shown"), [
    (0, "0"), (999, "999"), (1000, "1k"), (1500, "1.5k"), (12_500, "12.5k"),
    (40_000, "40k"), (120_000, "120k"), (999_999, "1M"), (1_200_000, "1.2M"),
    (26_812_811, "26.8M"), (976_543_210, "977M"), (1_500_000_000, "1.5B"), (-1500, "−1.5k"),
])
def test_compact_number(value: float, shown: str) -> None:
    assert compact_number(value) == shown


def test_chart_numbers_fit_their_room(rendered: Rendered) -> None:
    """The donut's centre shows 26,812,811 as "26.8M" inside the ring's hole (the exact figure
    stays in the chart's description); the trend's axis reads "120M", never "120,000k"."""
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from analytics.render.charts import SIZES, STYLE, draw_mix, render_charts

    report = rendered.report
    assert report["overview"]["total_engagement"] == 26_812_811
    fig = Figure(figsize=SIZES["mix"], dpi=100)
    FigureCanvasAgg(fig)
    with matplotlib.rc_context(STYLE):
        draw_mix(fig, report)
        fig.canvas.draw()  # the equal aspect is applied when drawn
        ax = fig.axes[0]
        (centre,) = [t for t in ax.texts if tuple(t.get_position()) == (0, 0.08)]
        box = centre.get_window_extent(fig.canvas.get_renderer())
    hole = 1 - 0.38  # the wedges' inner radius, in the pie's units
    left, right = (ax.transData.transform((x, 0))[0] for x in (-hole, hole))
    assert centre.get_text() == "26.8M"
    assert left < box.x0 and box.x1 < right, (left, box.x0, box.x1, right)
    svgs = {name: chart["svg"].decode() for name, chart in render_charts(report, ["svg"]).items()}
    assert "26,812,811 engagements in all" in svgs["mix"]  # the exact figure, for the reader
    ticks = re.findall(r"<text[^>]*>([^<]*)</text>", svgs["trend"])
    assert "120M" in ticks and not any(re.search(r"\d,\d{3}k", t) for t in ticks), ticks
