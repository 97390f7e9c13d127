"""A business's brand (accent colour, logo) shows in its HTML and PDF; a logo outside the brand
folder, or too big, fails that business with a clear reason."""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from PIL import Image
from pypdf import PdfReader

from analytics import AnalyticsError, config
from analytics.metrics.period import Period
from analytics.render import load_brand
from analytics.render.batch import RenderOptions, run_batch
from conftest import small_business, week_posts


def png(colour: str = "#7a1f5c", size: int = 64) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (size, size), colour).save(buffer, format="PNG")
    return buffer.getvalue()


def test_colour_and_logo_reach_html_and_pdf(load, tmp_path: Path) -> None:
    con = load([small_business("acme", "Acme Bakery")], week_posts("acme"))
    brands = tmp_path / "brands"
    brands.mkdir()
    (brands / "logo.png").write_bytes(png())
    (brands / "acme.json").write_text(json.dumps({"colour": "#7A1F5C", "logo": "logo.png"}))
    out = tmp_path / "out"
    result = run_batch(con, ["acme"], Period.parse("2026-W47"), date(2026, 11, 30),
                       RenderOptions(out=out, formats=("html", "pdf"), brands_dir=brands), jobs=0)
    assert [o.status for o in result.outcomes] == ["written"]
    folder = out / "acme" / "2026-W47"
    soup = BeautifulSoup((folder / "report.html").read_text(), "html.parser")
    assert soup.select_one("img.logo")["src"].startswith("data:image/png;base64,")
    assert "--accent: #7a1f5c" in soup.find("style").string
    assert "#7a1f5c" in str(soup.select_one("figure.chart-trend svg"))  # the trend line
    page = PdfReader(folder / "report.pdf").pages[0]
    images = list(page.images)
    assert len(images) == 1 and images[0].image.size == (64, 64)


def test_no_brand_file_means_the_default_look(tmp_path: Path) -> None:
    brand = load_brand("acme", tmp_path)
    assert brand.colour == config.DEFAULT_BRAND_COLOUR and brand.logo is None


@pytest.mark.parametrize(("spec", "message"), [
    ({"colour": "red"}, "colour must look like #1f5f8b"),
    ({"logo": "../secret.png"}, "logo must be a .png, .jpg or .svg file inside"),
    ({"logo": "logo.gif"}, "logo must be a .png, .jpg or .svg file inside"),
    ({"logo": "big.png"}, "logo is over 512 KiB"),
])
def test_bad_brands_are_refused_with_a_reason(tmp_path: Path, spec: dict, message: str) -> None:
    brands = tmp_path / "brands"
    brands.mkdir()
    (tmp_path / "secret.png").write_bytes(png())
    (brands / "logo.gif").write_bytes(b"GIF89a")
    (brands / "big.png").write_bytes(b"\x89PNG" + b"\0" * (config.MAX_LOGO_BYTES + 1))
    (brands / "acme.json").write_text(json.dumps(spec))
    with pytest.raises(AnalyticsError, match=message):
        load_brand("acme", brands)
