"""Long words, Japanese, emoji and a 120-character business name never push a number off the
page or out of its card: the PDF is read back with each text run's position."""

from __future__ import annotations

import html
import re
import subprocess
from datetime import date
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from analytics.metrics.period import Period
from analytics.render import fmt_number, fmt_percent, fmt_signed, fmt_title, plural
from analytics.render.batch import RenderOptions, run_batch
from conftest import post, small_business

NAME = ("Sakura Noodle & Tea House of the Upper Valley — Family Owned Since 1952, "
        "Open Seven Days a Week, Catering Available!!!!!")
HASHTAGS = "".join(f"#ramen{i:02d}" for i in range(38))[:300]  # 300 characters, no space
JAPANESE = "新メニュー登場！🍜 春のラーメンフェア開催中、限定トッピングもあります。お早めにどうぞ🎉"
A4_WIDTH = 595.0  # points


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> Path:
    from analytics import warehouse
    from analytics.ingest import ingest_paths
    from conftest import BUSINESS_COLUMNS, POST_COLUMNS, write_csv

    tmp = tmp_path_factory.mktemp("layout")
    assert len(NAME) == 120 and len(HASHTAGS) == 300 and " " not in HASHTAGS
    posts = [
        # views 3,884, engagement 250 (ER 6.4 %), clicks 58 (CTR 1.5 %): ranked first
        post("kiku", "instagram", "long", "2026-11-17T10:00:00Z", views=3_884, likes=200,
             shares=30, comments=20, clicks=58, title=HASHTAGS),
        post("kiku", "instagram", "jp", "2026-11-18T10:00:00Z", views=2_000, likes=90,
             clicks=20, title=JAPANESE),
        post("kiku", "x", "x1", "2026-11-19T10:00:00Z", views=1_000, likes=30, title="short"),
    ]
    con = warehouse.connect(tmp / "w.duckdb")
    files = [write_csv(tmp / "businesses.csv", BUSINESS_COLUMNS, [small_business("kiku", NAME)]),
             write_csv(tmp / "posts.csv", POST_COLUMNS, posts)]
    ingest_paths(con, files, rejects_dir=tmp / "rejects", today=date(2026, 11, 30))
    run_batch(con, ["kiku"], Period.parse("2026-W47"), date(2026, 11, 30),
              RenderOptions(out=tmp / "out", formats=("html", "pdf")), jobs=0)
    con.close()
    return tmp / "out" / "kiku" / "2026-W47"


def words(pdf: Path) -> list[tuple[str, float, float]]:
    """Every word of the PDF with its left and right edge in points, as poppler's pdftotext
    reads them back (Debian poppler-utils, installed by make system-deps)."""
    out = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True,
                         text=True, check=True).stdout
    pattern = r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">(.*?)</word>'
    return [(html.unescape(m[3]), float(m[1]), float(m[2])) for m in re.finditer(pattern, out)]


def test_the_top_post_row_keeps_its_numbers_on_the_page(rendered: Path) -> None:
    found = words(rendered / "report.pdf")
    text = " ".join(w for w, _, _ in found).replace("\xa0", " ")
    for number in ("3,884", "250", "6.4", "1.5"):  # views, engagement, ER, CTR
        edges = [(left, right) for w, left, right in found if w.startswith(number)]
        assert edges, number
        # inside the page's text column (15 mm margins), not pushed off its right edge
        assert all(left >= 30 and right <= A4_WIDTH - 30 for left, right in edges), \
            (number, edges)
    assert "6.4 %" in text and "1.5 %" in text  # with their units
    # the title is cut (an ellipsis), the business name is there whole
    assert "…" in text
    assert "Sakura Noodle" in text and "Catering" in text
    assert "新メニュー登場" in text


def test_the_html_cuts_long_titles_and_keeps_the_full_text_on_hover(rendered: Path) -> None:
    soup = BeautifulSoup((rendered / "report.html").read_text(), "html.parser")
    cell = soup.select_one('#top-content tr[data-platform="instagram"] .title-col')
    assert cell["title"] == HASHTAGS
    shown = cell.find(string=True, recursive=True).strip().replace("\u200b", "")
    assert shown.endswith("…") and len(shown) <= 141
    assert HASHTAGS.startswith(shown[:-1])


def test_formatting_rules() -> None:
    assert fmt_percent(57.0, 0) == "57\u00a0%"  # never "57 / %" across a line break
    assert fmt_signed(-3.2, 1) == "−3.2\u00a0%" and fmt_signed(-0.4, 1, " pts") == "−0.4\u00a0pts"
    assert fmt_number(-1234) == "−1,234"  # a true minus sign, not a hyphen
    assert plural(1, "post") == "1 post" and plural(2, "post") == "2 posts"
    assert fmt_title("a " * 100).endswith("…") and len(fmt_title("a " * 100)) <= 141
    assert fmt_title("#" * 30) == "#" * 12 + "\u200b" + "#" * 12 + "\u200b" + "#" * 6
    assert fmt_title(None) == "(untitled)" and fmt_title("short") == "short"


def test_the_history_numbers_stay_on_one_page(rendered: Path) -> None:
    """The 120-character name pushes the history down to the foot of page 1: its four-row
    numbers table moves to page 2 whole rather than leave its last rows behind."""
    from pypdf import PdfReader

    pages = [" ".join(p.extract_text().split()) for p in PdfReader(rendered / "report.pdf").pages]
    holding = [i for i, text in enumerate(pages) if re.search(r"PERIOD W36 W37", text)]
    assert len(holding) == 1
    text = pages[holding[0]]
    assert re.search(r"Posts( 0){11} 3 Engagement( 0){11} 370 Eng\. rate( –){11} 5\.4 %", text)
