"""The lean SVG the PDF draws its charts from: fewer nodes and no CSS for WeasyPrint to
parse, and the same pixels on the page (rasterised by poppler and compared exactly)."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from analytics import render
from analytics.render import charts
from analytics.render.lean_svg import lean_svg
from conftest import DEMO_PERIOD


@pytest.fixture(scope="module")
def drawn(demo_reports: Path) -> dict[str, dict[str, bytes]]:
    model = json.loads((demo_reports / "northwind-coffee" / DEMO_PERIOD / "report.json")
                       .read_text())
    return charts.render_charts(model, ["svg"], accent="#b0306a")


def elements(svg: bytes) -> int:
    return len(re.findall(rb"<[a-zA-Z]", svg))


def test_lean_svg_has_fewer_nodes_and_no_css(drawn: dict) -> None:
    for name, chart in drawn.items():
        lean = lean_svg(chart["svg"])
        assert b"style=" not in lean and b"<style" not in lean, name
        assert elements(lean) < 0.7 * elements(chart["svg"]), name
        assert b'stroke-linecap="butt"' in lean and b'stroke-linejoin="round"' in lean
        # ids that something points at survive (clip paths, the tick marks' <use>)
        for target in re.findall(rb'(?:url\(#|href="#)([^")]+)', lean):
            assert b'id="' + target + b'"' in lean, (name, target)


def raster(pdf: bytes, folder: Path, stem: str) -> list[bytes]:
    (folder / f"{stem}.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "110", "-png", str(folder / f"{stem}.pdf"),
                    str(folder / stem)], check=True)
    return [page.read_bytes() for page in sorted(folder.glob(f"{stem}-*.png"))]


def test_weasyprint_draws_the_same_pixels(drawn: dict, tmp_path: Path) -> None:
    page = "<title>Charts</title>" + "".join(
        f'<img src="{render.chart_url(name, "svg")}" alt="{name}" style="width: 100%">'
        for name in drawn)
    as_drawn = {render.chart_url(name, "svg"): (c["svg"], "image/svg+xml")
                for name, c in drawn.items()}
    before = raster(render.render_pdf(page, resources=as_drawn), tmp_path, "before")
    after = raster(render.render_pdf(page, resources=render.pdf_resources(drawn, "svg")),
                   tmp_path, "after")
    assert len(before) >= 2 and before == after


def test_an_svg_with_another_stylesheet_comes_back_unchanged() -> None:
    # its selectors could name the groups, and beat the attributes the styles would become
    svg = (b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><defs>'
           b'<style>#a rect { fill: red }</style></defs><g id="a"><rect width="5" height="5" '
           b'style="fill: blue"/></g></svg>')
    assert lean_svg(svg) == svg
    plain = svg.replace(b"<defs><style>#a rect { fill: red }</style></defs>", b"")
    assert lean_svg(plain) == (b'<svg viewBox="0 0 10 10" xmlns="http://www.w3.org/2000/svg" '
                               b'xmlns:xlink="http://www.w3.org/1999/xlink">'
                               b'<rect width="5" height="5" fill="blue" /></svg>')
