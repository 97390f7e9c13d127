"""Issue 17: the report, the index and the email body checked as outside checkers check them —
axe-core's WCAG 2.1 A/AA rules in a real Chromium, the W3C Nu HTML Checker — and used the way
a keyboard user, a 200 % zoom or a colour-blind reader uses them. The tools come from
``make test-deps`` (tests/browser.py fails, saying so, when one is missing)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from analytics import warehouse
from analytics.delivery.deliver import compose
from analytics.ingest import ingest_paths
from analytics.metrics.period import Period
from analytics.render.batch import RenderOptions, run_batch
from browser import WCAG_TAGS, axe_violations, chromium, nu_errors
from conftest import BUSINESS_COLUMNS, DEMO_PERIOD, POST_COLUMNS, post, write_csv

#: The trust work's hard case: a Japanese business name, a very long title without spaces.
JAPANESE_NAME = "キク ラーメン 株式会社 — 東京・渋谷の本店と新宿・池袋・上野の支店"
PALE_BRAND = "#ffd21f"
LONG_TITLE = "新メニュー登場！🍜" + "とんこつ" * 30 + "https://example.com/" + "x" * 80


@pytest.fixture(scope="module")
def pages(demo_reports: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every kind of page we write, as files: demo reports, the index, email bodies, the
    Japanese long-title business (with a pale brand colour), and a business with no posts
    in the period."""
    out = tmp_path_factory.mktemp("a11y")
    raw = out / "raw"
    businesses = [
        {"business_id": "kiku", "name": JAPANESE_NAME, "timezone": "Asia/Tokyo",
         "recipients": ""},
        {"business_id": "quiet", "name": "Quiet Week Bakery", "timezone": "Europe/London",
         "recipients": ""},
    ]
    posts = [post("kiku", ("instagram", "x", "tiktok")[i % 3], f"k{i}",
                  f"2026-11-{16 + i % 7}T0{i % 9}:00:00Z", views=900 + 50 * i, likes=60 + i,
                  shares=4, comments=3, reach=700, title=LONG_TITLE if i == 0 else f"投稿 {i}")
             for i in range(12)]
    posts.append(post("quiet", "facebook", "q1", "2026-11-03T10:00:00Z", views=500, likes=20))
    brands = out / "brands"  # a pale brand colour: its text must be darkened to read
    brands.mkdir()
    (brands / "kiku.json").write_text(json.dumps({"colour": PALE_BRAND}))
    con = warehouse.connect(out / "warehouse.duckdb")
    try:
        files = [write_csv(raw / "businesses.csv", BUSINESS_COLUMNS, businesses),
                 write_csv(raw / "posts.csv", POST_COLUMNS, posts)]
        ingest_paths(con, files, observed_on=date(2026, 11, 30), rejects_dir=out / "rejects")
        run_batch(con, ["kiku", "quiet"], Period.parse(DEMO_PERIOD), date(2026, 11, 30),
                  RenderOptions(out=out / "reports", formats=("html", "json"),
                                brands_dir=brands), jobs=0)
    finally:
        con.close()
    found = {
        "report": demo_reports / "northwind-coffee" / DEMO_PERIOD / "report.html",
        "report-2": demo_reports / "harbour-yoga" / DEMO_PERIOD / "report.html",
        "index": demo_reports / "index.html",
        "japanese": out / "reports" / "kiku" / DEMO_PERIOD / "report.html",
        "empty": out / "reports" / "quiet" / DEMO_PERIOD / "report.html",
    }
    for name, folder in (("email", demo_reports / "northwind-coffee"),
                         ("email-japanese", out / "reports" / "kiku")):
        model = json.loads((folder / DEMO_PERIOD / "report.json").read_text())
        message = compose(model, "owner@example.com", b"%PDF-1.7", "reports@example.com",
                          datetime(2026, 11, 23, 7, tzinfo=UTC))
        body = message.get_body(("html",)).get_content()
        found[name] = out / f"{name}.html"
        found[name].write_text(body, encoding="utf-8")
    assert all(path.is_file() for path in found.values()), found
    return found


@pytest.fixture(scope="module")
def browser():
    with chromium() as running:
        yield running


def open_file(browser, path: Path, width: int = 1280, height: int = 900):
    page = browser.new_page(viewport={"width": width, "height": height})
    page.goto(path.resolve().as_uri())
    return page


PAGES = ["report", "report-2", "index", "japanese", "empty", "email", "email-japanese"]


@pytest.mark.parametrize("name", PAGES)
def test_axe_finds_no_wcag_21_aa_violations(browser, pages: dict[str, Path], name: str) -> None:
    page = open_file(browser, pages[name])
    # the WCAG rules, and for web pages axe's best practices too (heading order, empty
    # headers); an email body is a fragment inside a mail client's page, which has the
    # landmarks, so it gets the WCAG rules (contrast, alt text, language, layout tables)
    tags = WCAG_TAGS if name.startswith("email") else WCAG_TAGS + ["best-practice"]
    try:
        assert axe_violations(page, tags) == []
    finally:
        page.close()


def test_axe_also_passes_at_200_percent_zoom(browser, pages: dict[str, Path]) -> None:
    """200 % zoom on a 1280 px screen lays the page out in 640 CSS px."""
    page = open_file(browser, pages["report"], width=640, height=720)
    try:
        assert axe_violations(page) == []
        # nothing is cut off: the page itself never scrolls sideways (wide tables scroll
        # inside their own box)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    finally:
        page.close()


def test_the_nu_html_checker_finds_no_errors(pages: dict[str, Path]) -> None:
    assert nu_errors(pages.values()) == []


SMALLEST_TEXT = """() => {
  const sizes = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, el = node.parentElement;
    if (!node.textContent.trim() || el.closest("svg, .visually-hidden, script, style")) continue;
    if (!el.getClientRects().length) continue;  // not rendered (a closed <details>)
    let zoom = 1;
    for (let e = el; e; e = e.parentElement) zoom *= parseFloat(getComputedStyle(e).zoom) || 1;
    const size = parseFloat(getComputedStyle(el).fontSize) * zoom;
    sizes.push([size, node.textContent.trim().slice(0, 30)]);
  }
  sizes.sort((a, b) => a[0] - b[0]);
  return sizes[0];
}"""


@pytest.mark.parametrize("width", [1280, 640, 400])
def test_no_text_under_10_px_on_screen(browser, pages: dict[str, Path], width: int) -> None:
    page = open_file(browser, pages["report"], width=width)
    try:
        size, text = page.evaluate(SMALLEST_TEXT)
    finally:
        page.close()
    assert size >= 10 - 1e-6, f"{text!r} is {size:.2f} px at {width} px wide"


def test_heat_map_reads_without_colour(browser, pages: dict[str, Path]) -> None:
    page = open_file(browser, pages["report"])
    try:
        cells = page.evaluate("""() => Array.from(document.querySelectorAll("table.heat td"),
            td => [td.className, td.textContent.trim(), getComputedStyle(td).backgroundImage,
                   getComputedStyle(td).borderTopStyle])""")
        # axe cannot judge text over a hatch (it reports it as "incomplete", not as passing):
        # without the hatch it checks the type against each cell's own colour
        page.add_style_tag(content="table.heat td { background-image: none !important; }")
        thin_contrast = axe_violations(page, rules=["color-contrast"])
    finally:
        page.close()
    assert len(cells) == 7 * 8
    assert thin_contrast == [], "grey type on a thin cell under 4.5:1"
    for classes, text, pattern, border in cells:
        # every cell says its value and its posts in words, or "–" when it has none
        assert text == "–" or ("×" in text and "post" in text), text
        if "thin" in classes:   # too few posts: a hatch and a dotted edge, not only a paler tint
            assert "repeating-linear-gradient" in pattern and border == "dotted"
        else:
            assert pattern == "none" and border == "solid"


def rows_of(page) -> list[tuple[str, float]]:
    return page.evaluate("""() => Array.from(document.querySelectorAll("#top-content tbody tr"))
        .filter(tr => !tr.hidden)
        .map(tr => [tr.dataset.platform, parseFloat(tr.cells[5].dataset.value)])""")


def tab_to(page, predicate_js: str, limit: int = 80) -> None:
    """Press Tab until the focused element satisfies ``predicate_js`` (a JS expression on
    ``el``); the keyboard alone, as a user without a mouse would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(el => {predicate_js})(document.activeElement)"):
            return
    raise AssertionError(f"Tab never reached an element where {predicate_js}")


def test_sort_and_filter_with_the_keyboard_alone(browser, pages: dict[str, Path]) -> None:
    page = open_file(browser, pages["report"])
    try:
        everything = rows_of(page)
        platforms = sorted({p for p, _ in everything})
        assert len(platforms) > 1
        # the platform filter: Tab to it, arrow down to the first platform
        tab_to(page, "el.matches('select[data-filter-for]')")
        page.keyboard.press("ArrowDown")
        shown = rows_of(page)
        assert shown and {p for p, _ in shown} == {platforms[0]}
        assert len(shown) == sum(p == platforms[0] for p, _ in everything)
        page.keyboard.press("Home")  # back to all platforms
        assert len(rows_of(page)) == len(everything)

        # sort by views: Tab to its heading's button, Enter (then Space to reverse)
        tab_to(page, "el.tagName === 'BUTTON' && el.textContent.trim() === 'Views'")
        focus = page.evaluate("""() => { const s = getComputedStyle(document.activeElement);
            let zoom = 1;  // widths are given unzoomed, snapped to whole screen pixels
            for (let e = document.activeElement; e; e = e.parentElement)
              zoom *= parseFloat(getComputedStyle(e).zoom) || 1;
            return [s.outlineStyle, Math.round(parseFloat(s.outlineWidth) * zoom)]; }""")
        assert focus[0] != "none" and focus[1] >= 2, focus  # a focus you can see
        page.keyboard.press("Enter")
        views = [v for _, v in rows_of(page)]
        assert views == sorted(views, reverse=True) and views != [v for _, v in everything]
        assert page.evaluate("document.activeElement.parentElement.getAttribute('aria-sort')") \
            == "descending"
        page.keyboard.press("Space")
        assert [v for _, v in rows_of(page)] == sorted(views)
        assert page.evaluate("document.activeElement.parentElement.getAttribute('aria-sort')") \
            == "ascending"
    finally:
        page.close()


def test_each_chart_has_a_text_alternative_and_its_numbers_as_a_table(
        browser, pages: dict[str, Path]) -> None:
    page = open_file(browser, pages["report"])
    try:
        charts = page.evaluate("""() => Array.from(document.querySelectorAll("figure.chart svg"),
            svg => [svg.getAttribute("role"), svg.querySelector("title").textContent,
                    document.getElementById(svg.getAttribute("aria-describedby")).textContent])""")
        details = page.locator("#trends details.chart-data")
        assert not details.locator("table").is_visible()   # collapsed until asked for
        details.locator("summary").click()
        assert details.locator("table").is_visible()
        trend_rows = details.locator("tbody tr").count()
    finally:
        page.close()
    assert [c[0] for c in charts] == ["img"] * 4  # history, trend, platforms, content mix
    assert charts[1][1].startswith("Engagement per day") and charts[1][2].startswith("Peak ")
    model = json.loads(pages["report"].with_name("report.json").read_text())
    assert trend_rows == len(model["trends"]) // 7  # a week a row; the demo's 28 days
