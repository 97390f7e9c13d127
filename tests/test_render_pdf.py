"""The PDF, read back with pypdf: A4 pages, a sane page count, the footer, and the overview
numbers and the top post exactly as in report.json."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from analytics import config
from analytics.metrics.period import Period
from analytics.render.batch import RenderOptions, run_batch
from conftest import DEMO_AS_OF, DEMO_PERIOD, post, small_business


def read(out: Path, business_id: str) -> tuple[dict, PdfReader]:
    folder = out / business_id / DEMO_PERIOD
    return json.loads((folder / "report.json").read_text()), PdfReader(folder / "report.pdf")


def squash(value: str) -> str:
    """Text without whitespace: a long title wraps inside its table cell."""
    return re.sub(r"\s+", "", value)


@pytest.mark.parametrize("business_id", ["northwind-coffee", "harbour-yoga"])
def test_a4_pages_and_a_sane_page_count(demo_reports: Path, business_id: str) -> None:
    _, pdf = read(demo_reports, business_id)
    assert 2 <= len(pdf.pages) <= 6
    for page in pdf.pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert (round(width), round(height)) == (595, 842)  # A4 in points


def page_fill(pdf: Path) -> list[float]:
    """Per page, how far down its text area (between the 14 mm top margin and the 16 mm
    footer margin) the lowest ink reaches, 0–1, from poppler's greyscale rendering."""
    import subprocess
    import tempfile

    from PIL import Image

    dpi = 40
    with tempfile.TemporaryDirectory() as folder:
        subprocess.run(["pdftoppm", "-gray", "-r", str(dpi), str(pdf), f"{folder}/p"],
                       check=True)
        fills = []
        for image in sorted(Path(folder).glob("p-*.pgm"), key=lambda f: int(f.stem[2:])):
            page = Image.open(image)
            width, height = page.size
            top, bottom = round(14 * dpi / 25.4), round(height - 16 * dpi / 25.4)
            ink = page.crop((0, top, width, bottom)).point(lambda v: 255 if v < 200 else 0)
            box = ink.getbbox()  # the box around every dark pixel, None on a blank page
            fills.append(0.0 if box is None else box[3] / (bottom - top))
        return fills


@pytest.mark.parametrize("business_id", ["northwind-coffee", "harbour-yoga"])
def test_no_page_is_mostly_blank(demo_reports: Path, business_id: str) -> None:
    """Every page but the last is at least half full; the last holds at least a whole short
    section (the end sections move to a page whole), never a few stray rows. Before the fix,
    harbour-yoga's sixth page held only the "how to read" list: 20 % of the page."""
    fills = page_fill(demo_reports / business_id / DEMO_PERIOD / "report.pdf")
    assert all(fill >= 0.5 for fill in fills[:-1]), fills
    assert fills[-1] >= 0.3, fills


def test_footer_names_business_period_and_page_x_of_y(demo_reports: Path) -> None:
    model, pdf = read(demo_reports, "northwind-coffee")
    total = len(pdf.pages)
    for number, page in enumerate(pdf.pages, start=1):
        content = page.extract_text()
        assert f"page {number} of {total}" in content
        assert f"{model['business']['name']} · {model['period']['label']}" in content


def card_value(text: str, label: str) -> str:
    """The figure printed right under a card's label (not any matching digits on the page:
    a post count of 22 also appears in the date line "16–22 Nov")."""
    words = r"\s+".join(map(re.escape, label.upper().split()))  # a label may wrap
    match = re.search(words + r"\s*\n\s*([^\n]+)", text)
    assert match, f"no card {label!r} in: {text[:400]}"
    return match[1].strip()


def test_overview_numbers_and_top_post_as_in_the_model(demo_reports: Path) -> None:
    model, pdf = read(demo_reports, "northwind-coffee")
    first = pdf.pages[0].extract_text().replace("\xa0", " ")  # numbers hold their units
    o = model["overview"]
    assert card_value(first, "Posts") == f"{o['total_posts']:,}"
    assert card_value(first, "Reach") == f"{o['total_reach']:,}"
    assert card_value(first, "Engagement rate") == f"{o['avg_engagement_rate']:.1f} %"
    assert card_value(first, "Engagement vs last week").endswith(
        f"{abs(o['growth_rate']):.1f} %")
    assert f"{o['total_engagement']:,} engagements" in first
    everything = squash("".join(page.extract_text() for page in pdf.pages))
    top = model["content"][0]
    assert top["rank"] == 1 and squash(top["title"]) in everything
    for rec in model["insights"]["recommendations"]:
        assert squash(rec["claim"]) in everything


def test_pdf_text_is_real_text_with_embedded_subset_fonts(demo_reports: Path) -> None:
    _, pdf = read(demo_reports, "northwind-coffee")
    fonts = set()
    for page in pdf.pages:
        resources = page["/Resources"]
        for font in resources.get("/Font", {}).values():
            fonts.add(str(font.get_object()["/BaseFont"]))
    assert fonts, "no fonts: text was drawn as shapes"
    # subset fonts carry a six-letter tag (ABCDEF+Name): only the glyphs used are embedded
    assert all(re.match(r"/[A-Z]{6}\+", name) for name in fonts), fonts


def test_pdf_stays_small(demo_reports: Path) -> None:
    size = (demo_reports / "northwind-coffee" / DEMO_PERIOD / "report.pdf").stat().st_size
    assert 20_000 < size < 1_000_000


def test_a_long_table_repeats_its_header_on_every_page(demo_db, tmp_path: Path) -> None:
    result = run_batch(demo_db, ["northwind-coffee"], Period.parse("2026-11"), DEMO_AS_OF,
                       RenderOptions(out=tmp_path, formats=("json", "pdf")), jobs=0, limit=60)
    assert [o.status for o in result.outcomes] == ["written"]
    folder = tmp_path / "northwind-coffee" / "2026-11"
    model = json.loads((folder / "report.json").read_text())
    # only posts with at least the median post's views are ranked: about half the month's
    assert 30 <= len(model["content"]) <= 60
    pages = [page.extract_text() for page in PdfReader(folder / "report.pdf").pages]
    # pages holding top-post rows: each starts its slice of the table with the header
    # (the sections after the insights list post titles too: comments' most discussed posts)
    cut = next((i for i, t in enumerate(pages) if "Hashtags and captions" in t), len(pages))
    holding = [text for text in pages[:cut] if re.search(r"^\s*\d+\s", text, re.M) and
               any(squash(c["title"]) in squash(text) for c in model["content"])]  # wrapped
    assert len(holding) >= 2
    for text in holding:
        assert "TITLE" in text and "PUBLISHED" in text
    # every ranked post is there once, rows are never lost between pages
    everything = squash("".join(pages))
    for c in model["content"]:
        assert squash(c["title"]) in everything


def word_images(pdf: Path, page: int, words: list[str], dpi: int = 150) -> tuple[Any, dict]:
    """The picture of ``page`` (1-based) from poppler, and each word's box on it in pixels,
    as ``pdftotext -bbox`` gives it (the first box whose text starts with the word)."""
    import subprocess
    import tempfile

    from bs4 import BeautifulSoup
    from PIL import Image

    boxes = BeautifulSoup(subprocess.run(
        ["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(pdf), "-"],
        capture_output=True, text=True, check=True).stdout, "html.parser")
    with tempfile.TemporaryDirectory() as folder:
        subprocess.run(["pdftoppm", "-png", "-r", str(dpi), "-f", str(page), "-l", str(page),
                        str(pdf), f"{folder}/p"], check=True)
        image = Image.open(next(Path(folder).glob("p-*.png"))).convert("RGB")
        image.load()
    found = {}
    for word in words:
        box = next(b for b in boxes.find_all("word") if b.get_text().startswith(word))
        found[word] = tuple(round(float(box[k]) * dpi / 72)
                            for k in ("xmin", "ymin", "xmax", "ymax"))
    return image, found


@pytest.mark.parametrize("engine", config.PDF_ENGINES)
def test_japanese_titles_and_emoji_get_real_glyphs(load, tmp_path: Path, engine: str) -> None:
    """Drawn with fonts that have the glyphs (installed by `make system-deps`), not tofu:
    read off the page's pixels, so it holds whatever the engine embeds (WeasyPrint embeds
    Noto CJK by name; Chromium draws it, and the colour emoji, as unnamed Type 3 glyphs)."""
    title = "新メニュー登場！ 🍜 Spring ramen"
    con = load([small_business("kiku", "キク ラーメン")],
               [post("kiku", "instagram", "p1", "2026-11-17T10:00:00Z", views=900, likes=60,
                     title=title)])
    run_batch(con, ["kiku"], Period.parse("2026-W47"), date(2026, 11, 30),
              RenderOptions(out=tmp_path, formats=("pdf",), pdf_engine=engine), jobs=0)
    path = tmp_path / "kiku" / "2026-W47" / "report.pdf"
    pdf = PdfReader(path)
    # pypdf reads a wide gap between Chromium's CJK glyphs as two spaces: compare words
    text = " ".join("".join(page.extract_text() for page in pdf.pages).split())
    assert "新メニュー登場" in text and "キク ラーメン" in text and "🍜" in text
    page = next(n for n, p in enumerate(pdf.pages, start=1) if "🍜" in p.extract_text())
    image, box = word_images(path, page, ["新メニュー登場", "Spring"])
    # seven full-width characters: seven different pictures (tofu is one box, seven times)
    cjk = image.crop(box["新メニュー登場"])
    width = cjk.width / len("新メニュー登場！")
    cells = {cjk.crop((round(i * width), 0, round((i + 1) * width), cjk.height)).tobytes()
             for i in range(7)}
    assert len(cells) == 7
    # the emoji, between them, in colour (a missing glyph would be a grey box or nothing)
    emoji = image.crop((box["新メニュー登場"][2], box["Spring"][1], box["Spring"][0],
                        box["Spring"][3]))
    assert max(max(px) - min(px) for px in emoji.get_flattened_data()) > 80
