"""The PDF engines (render.render_pdf): Chromium by default, WeasyPrint on request; the
footer's business name written as an escaped CSS string; Chromium's browser started once per
process, never in the pool's fork server, relaunched after a crash, closed with its process;
no browser: one line."""

from __future__ import annotations

import contextlib
import html
import io
import re
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import psutil
import pytest
import tinycss2
from click.testing import CliRunner
from PIL import Image
from pypdf import PdfReader

from analytics import AnalyticsError, config, render
from analytics.cli import cli
from analytics.metrics.period import Period
from analytics.render import pdf_chromium
from analytics.render.batch import RenderOptions, run_batch
from analytics.render.filters import css_string
from conftest import DEMO_AS_OF, DEMO_PERIOD, post, small_business

W47 = Period.parse("2026-W47")
HOSTILE_NAMES = [
    'Evil "Co" \\ </style><script>alert(1)</script>',
    "Line one\nline two; } @page { margin: 0 } /* x */",
    "Ramen 🍜 キク · ‘quoted’ \\0041 ",
    "Supercalifragilistic" * 6,  # 120 characters, no space (tests/test_overflow.py)
]


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_css_string_escapes_everything_but_letters_digits_and_spaces(name: str) -> None:
    written = str(css_string(name))
    assert re.fullmatch(r'"(?:[A-Za-z0-9 ]|\\[0-9a-f]{6} )*"', written), written
    # a CSS parser reads back exactly the name, as one string
    tokens = [t for t in tinycss2.parse_component_value_list(written)
              if t.type != "whitespace"]
    assert [t.type for t in tokens] == ["string"] and tokens[0].value == name


def footer_words(pdf: Path, page: int) -> list[tuple[str, float, float]]:
    """The words under the page's bottom margin (16 mm), each with its top and height in
    points."""
    # poppler writes an astral character of the document's title as two surrogates
    out = subprocess.run(["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(pdf),
                          "-"], capture_output=True, check=True).stdout.decode(errors="replace")
    words = [(float(m[2]), float(m[4]), m[5]) for m in re.finditer(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>',
        out)]
    bottom = 842 - 16 * 72 / 25.4
    below = [(top, end, text) for top, end, text in words if top >= bottom]
    return [(html.unescape(text), top, end - top) for top, end, text in below]


@pytest.mark.parametrize("engine", config.PDF_ENGINES)
@pytest.mark.parametrize("name", ['Evil "Co" \\ </style><b>x</b> 🍜',
                                  "Evil 🍜 " + "Supercalifragilistic" * 6])
def test_the_footer_shows_a_hostile_name_as_text_small_and_grey(load, tmp_path: Path,
                                                                 engine: str, name: str) -> None:
    con = load([small_business("evil", name)],
               [post("evil", "x", "p1", "2026-11-17T10:00:00Z", views=500, likes=10)])
    result = run_batch(con, ["evil"], W47, date(2026, 11, 30),
                       RenderOptions(out=tmp_path, formats=("pdf",), pdf_engine=engine), jobs=0)
    assert [o.status for o in result.outcomes] == ["written"], result.outcomes
    path = tmp_path / "evil" / "2026-W47" / "report.pdf"
    pages = len(PdfReader(path).pages)
    for number in range(1, pages + 1):
        words = footer_words(path, number)
        # a long name is cut (at 60 characters), so "page X of Y" keeps its line
        shown = name if len(name) <= 60 else name[:59] + "…"
        assert " ".join(w for w, _, _ in words) == (
            f"{shown} · 2026-W47 page {number} of {pages}")
        assert len({round(top) for _, top, _ in words[-4:]}) == 1, words  # one line
        # 7 pt type (body text is 9 pt: boxes of ~10.5); the emoji's box is its own
        assert max(h for w, _, h in words if w != "🍜") < 9.5, words
    # grey (#6b7785), not the body's near-black: the darkest pixel of "page 1 of N"
    subprocess.run(["pdftoppm", "-png", "-r", "150", "-f", "1", "-l", "1", str(path),
                    str(tmp_path / "p")], check=True)
    image = Image.open(next(tmp_path.glob("p-*.png"))).convert("L")
    footer = image.crop((image.width // 2, round(image.height * (1 - 14 / 297)), image.width,
                         image.height))
    assert 90 <= min(footer.get_flattened_data()) <= 140


def test_the_weasyprint_engine_still_works(demo_path: Path, tmp_path: Path) -> None:
    """`--pdf-engine weasyprint` and $ANALYTICS_PDF_ENGINE choose the other engine; the
    default is Chromium (each PDF says who made it)."""
    def make(out: str, *options: str, env: dict | None = None) -> PdfReader:
        result = CliRunner().invoke(cli, ["report", "--db", str(demo_path), "--business",
                                          "northwind-coffee", "--period", DEMO_PERIOD,
                                          "--as-of", DEMO_AS_OF, "--format", "pdf", "--jobs",
                                          "0", "--out", str(tmp_path / out), *options], env=env)
        assert result.exit_code == 0, result.output
        return PdfReader(tmp_path / out / "northwind-coffee" / DEMO_PERIOD / "report.pdf")

    assert "Skia" in make("default", env={"ANALYTICS_PDF_ENGINE": ""}).metadata.producer
    weasy = make("weasy", "--pdf-engine", "weasyprint")
    assert "WeasyPrint" in weasy.metadata.producer and 4 <= len(weasy.pages) <= 6
    assert "WeasyPrint" in make("env", env={"ANALYTICS_PDF_ENGINE": "weasyprint"}
                                ).metadata.producer
    text = " ".join(" ".join(p.extract_text() for p in weasy.pages).split())
    assert "Northwind Coffee Roasters · 2026-W47" in text and "Content performance" in text


def test_an_unknown_engine_or_a_missing_browser_is_one_line(demo_path: Path,
                                                            tmp_path: Path) -> None:
    args = ["report", "--db", str(demo_path), "--business", "northwind-coffee",
            "--as-of", DEMO_AS_OF, "--out", str(tmp_path / "out")]
    bad = CliRunner().invoke(cli, args, env={"ANALYTICS_PDF_ENGINE": "prince"})
    assert bad.exit_code == 1
    assert bad.output.strip().splitlines()[-1] == (
        "error: ANALYTICS_PDF_ENGINE must be chromium or weasyprint, not 'prince'")
    missing = CliRunner().invoke(cli, args, env={"ANALYTICS_CHROMIUM": "/nowhere/chromium"})
    assert missing.exit_code == 1 and "Traceback" not in missing.output
    assert missing.output.strip().splitlines()[-1] == (
        "error: " + pdf_chromium.missing_message("/nowhere/chromium"))
    assert "make system-deps" in missing.output and "--pdf-engine weasyprint" in missing.output
    assert not (tmp_path / "out" / "northwind-coffee").exists()


@pytest.fixture
def own_printer(monkeypatch: pytest.MonkeyPatch):
    """A printer (and browser) of this test's own, closed at its end."""
    made: list[pdf_chromium.Printer] = []

    def make() -> pdf_chromium.Printer:
        printer = pdf_chromium.Printer()
        made.append(printer)
        monkeypatch.setattr(pdf_chromium, "_PRINTER", printer)
        return printer

    yield make
    for printer in made:
        printer.close()


def test_a_browser_missing_in_a_worker_fails_each_report_alone(load, tmp_path: Path,
                                                                own_printer, monkeypatch) -> None:
    monkeypatch.setenv("ANALYTICS_CHROMIUM", "/nowhere/chromium")
    own_printer()
    con = load([small_business("a"), small_business("b")],
               [post("a", "x", "p1", "2026-11-17T10:00:00Z", views=500, likes=10)])
    result = run_batch(con, ["a", "b"], W47, date(2026, 11, 30),
                       RenderOptions(out=tmp_path, formats=("json", "pdf")), jobs=0)
    assert [(o.status, o.error) for o in result.outcomes] == [
        ("failed", "AnalyticsError: " + pdf_chromium.missing_message("/nowhere/chromium"))] * 2
    assert not list(tmp_path.glob("*/*/report.pdf"))


def browsers(root: psutil.Process) -> list[psutil.Process]:
    """Chromium's main processes under ``root`` (not its renderers and helpers, which run
    under it)."""
    found = []
    for proc in root.children(recursive=True):
        try:
            if "chrom" in proc.name() and "chrom" not in proc.parent().name():
                found.append(proc)
        except psutil.NoSuchProcess:
            pass
    return found


def test_a_crashed_browser_is_relaunched_once(own_printer) -> None:
    before = {p.pid for p in browsers(psutil.Process())}  # other tests' printer's, maybe
    printer = own_printer()
    page = "<title>t</title><p>one page</p>"
    assert render.render_pdf(page, engine="chromium").startswith(b"%PDF")
    (browser,) = [p for p in browsers(psutil.Process()) if p.pid not in before]
    browser.kill()
    browser.wait(10)
    pdf = render.render_pdf(page, engine="chromium")
    assert "one page" in PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert printer.launches == 2
    assert render.render_pdf(page, engine="chromium")  # the new browser goes on
    assert printer.launches == 2


def test_pool_workers_launch_their_own_browser_and_close_it(demo_path: Path,
                                                            tmp_path: Path) -> None:
    """Each worker starts its own browser, the fork server none (a browser does not survive
    fork); when the batch ends, every browser seen during it is gone."""
    from multiprocessing import forkserver

    from analytics import warehouse

    seen: dict[int, int] = {}  # browser pid -> the pool process it runs under

    def look(outcome) -> None:
        server = psutil.Process(forkserver._forkserver._forkserver_pid)
        for browser in browsers(server):
            with contextlib.suppress(psutil.NoSuchProcess):
                # browser <- playwright's node driver <- the process that printed with it
                seen[browser.pid] = browser.parent().parent().pid

    con = warehouse.connect(demo_path, read_only=True)
    try:
        result = run_batch(con, None, W47, date(2026, 11, 23),
                           RenderOptions(out=tmp_path, formats=("pdf",), pdf_engine="chromium"),
                           jobs=2, on_outcome=look)
    finally:
        con.close()
    assert {o.status for o in result.outcomes} == {"written"}
    workers = {o.pid for o in result.outcomes}
    assert seen and set(seen.values()) <= workers, (seen, workers)
    assert forkserver._forkserver._forkserver_pid not in seen.values()
    for pid in seen:
        assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == "zombie"


def test_the_chromium_engine_refuses_a_fetcher() -> None:
    with pytest.raises(ValueError, match="WeasyPrint"):
        render.render_pdf("<p>x</p>", engine="chromium", fetcher=render.local_fetcher())
    with pytest.raises(AnalyticsError, match="--pdf-engine must be chromium or weasyprint"):
        render.render_pdf("<p>x</p>", engine="prince")


def test_a_browser_that_will_not_start_fails_the_report_in_one_line(tmp_path: Path,
                                                                    own_printer,
                                                                    monkeypatch) -> None:
    broken = tmp_path / "chromium"
    broken.write_text("#!/bin/sh\necho 'chromium: cannot open display' >&2\nexit 3\n")
    broken.chmod(0o755)
    monkeypatch.setenv("ANALYTICS_CHROMIUM", str(broken))
    printer = own_printer()
    for _ in range(2):  # tried afresh for each report, and each fails alone
        with pytest.raises(AnalyticsError) as failed:
            render.render_pdf("<title>t</title><p>x</p>", engine="chromium")
        message = str(failed.value)
        assert message.startswith(f"PDF engine chromium: cannot start {broken}: ")
        assert "\n" not in message
    assert printer.launches == 0 and printer.thread.is_alive()


def test_without_playwright_each_report_fails_in_one_line(own_printer, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "playwright.sync_api", None)  # import fails
    own_printer()
    for _ in range(2):  # the next report gets a printer of its own, and the same line
        with pytest.raises(AnalyticsError, match=r"^PDF engine chromium needs Python's "
                                                 r"playwright \(`make install`\), or use "
                                                 r"--pdf-engine weasyprint$"):
            render.render_pdf("<title>t</title><p>x</p>", engine="chromium")


def test_threads_share_the_process_browser(own_printer) -> None:
    """The portal and Dask workers render from several threads: one browser serves them all
    (playwright's sync API is bound to the one thread that owns it)."""
    from concurrent.futures import ThreadPoolExecutor

    printer = own_printer()
    pages = [f"<title>t{n}</title><p>thread page {n}</p>" for n in range(6)]
    with ThreadPoolExecutor(max_workers=3) as pool:
        pdfs = list(pool.map(lambda page: render.render_pdf(page, engine="chromium"), pages))
    texts = [PdfReader(io.BytesIO(pdf)).pages[0].extract_text() for pdf in pdfs]
    assert [f"thread page {n}" in text for n, text in enumerate(texts)] == [True] * 6
    assert printer.launches == 1


def drivers() -> list[psutil.Process]:
    """Playwright's node drivers started by this process."""
    return [p for p in psutil.Process().children() if p.name().startswith("node")]


def test_a_dead_driver_fails_one_report_and_the_next_gets_a_new_printer(own_printer) -> None:
    """The OOM killer or a signal ends playwright's node driver: its connection never comes
    back, so the printer's thread ends and the next PDF starts a new driver and browser."""
    page = "<title>t</title><p>one page</p>"
    before = {p.pid for p in drivers()}  # another test's printer's, maybe
    printer = own_printer()
    try:
        assert render.render_pdf(page, engine="chromium").startswith(b"%PDF")
        (driver,) = [p for p in drivers() if p.pid not in before]
        (browser,) = browsers(driver)
        driver.kill()
        driver.wait(10)
        browser.wait(10)  # its pipe closed with the driver: no browser is left behind
        with pytest.raises(AnalyticsError, match="^PDF engine chromium: playwright's driver "
                                                 "died while printing$"):
            render.render_pdf(page, engine="chromium")
        printer.thread.join(10)
        assert not printer.thread.is_alive()
        for _ in range(2):
            pdf = render.render_pdf(page, engine="chromium")
            assert "one page" in PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
        fresh = pdf_chromium._PRINTER
        assert fresh is not printer and fresh.launches == 1
    finally:
        if pdf_chromium._PRINTER is not printer:
            pdf_chromium._PRINTER.close()


def test_a_print_that_hangs_fails_alone_and_retires_its_browser(own_printer,
                                                                 monkeypatch) -> None:
    """``page.pdf`` takes no timeout: the caller waits TIMEOUT_MS (+ MARGIN_S) at most, then
    that report fails and its printer's driver and browser are killed; the next report gets
    a new printer. A "hang" here is a page that takes far longer to print than the timeout."""
    before = {p.pid for p in browsers(psutil.Process())}
    printer = own_printer()
    try:
        assert render.render_pdf("<title>t</title><p>warm</p>", engine="chromium")
        (browser,) = [p for p in browsers(psutil.Process()) if p.pid not in before]
        # the tab keeps its 60 s timeout (set at launch); the caller now waits 0.2 s at most
        monkeypatch.setattr(pdf_chromium, "TIMEOUT_MS", 200)
        monkeypatch.setattr(pdf_chromium, "MARGIN_S", 0.0)
        slow = "<title>t</title>" + "<p>a slow page to print, line after line</p>" * 40_000
        started = time.monotonic()
        with pytest.raises(AnalyticsError, match=r"^PDF engine chromium: no PDF after 200 ms "
                                                 r"\(the browser was restarted\)$"):
            render.render_pdf(slow, engine="chromium")
        assert time.monotonic() - started < 3
        assert printer.retired
        printer.thread.join(10)
        assert not printer.thread.is_alive()
        browser.wait(10)  # its pipe closed with the driver: the hung browser exits
        monkeypatch.setattr(pdf_chromium, "TIMEOUT_MS", 60_000)
        pdf = render.render_pdf("<title>t</title><p>after the hang</p>", engine="chromium")
        assert "after the hang" in PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
        assert pdf_chromium._PRINTER is not printer
    finally:
        if pdf_chromium._PRINTER is not printer:
            pdf_chromium._PRINTER.close()
