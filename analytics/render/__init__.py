"""Rendering a finished report model as HTML and PDF.

Rendering reads the ``report.json`` dict (:meth:`analytics.report.Report.to_dict`) and nothing
else: every number shown comes from the model; templates only format and arrange them.

* one Jinja :class:`~jinja2.Environment` with the formatting filters registered once
  (:mod:`analytics.render.filters`; autoescape on, ``StrictUndefined``, a user's
  ``--templates DIR`` searched before ours);
* HTML is one self-contained file (inline CSS, inline SVG charts, an inline sort/filter
  script), so it opens offline;
* the PDF is the same templates' print variant laid out for A4 by the PDF engine
  (:func:`render_pdf`): headless Chromium (:mod:`analytics.render.pdf_chromium`, the default)
  or WeasyPrint. Either loads only the charts (from memory), ``data:`` URLs and files inside
  the template folders, so rendering never touches the network; the PDF is tagged: a
  structure tree in reading order, headings, tables, the charts' alternative text, the title
  and language, which a screen reader needs.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import re
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from markupsafe import Markup

from analytics import AnalyticsError, config

# The environment and the filters live in filters.py; their names stay importable from
# analytics.render, where the email, the portal, the batch and the notebooks import them.
from analytics.render.filters import (  # noqa: F401 - re-exported
    DASH,
    FILTERS,
    MINUS,
    NBSP,
    TITLE_CHARS,
    direction,
    environment,
    fmt_day,
    fmt_number,
    fmt_percent,
    fmt_posted,
    fmt_range,
    fmt_signed,
    fmt_title,
    fmt_usual,
    platform_list,
    plural,
    template_files,
)

REPORT_TEMPLATE = "report.html.j2"
INDEX_TEMPLATE = "index.html.j2"
HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}\Z")  # \Z: "$" would let a trailing newline through
LOGO_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
              ".svg": "image/svg+xml"}


# --- branding -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Brand:
    """A business's accent colour and optional logo (a ``data:`` URI, so it is inlined)."""

    colour: str = config.DEFAULT_BRAND_COLOUR
    logo: str | None = None

    @property
    def ink(self) -> str:
        """The colour for text in the accent: the accent itself unless it is too pale to
        read on white (4.5:1), then darkened just enough."""
        from analytics.render.contrast import readable

        return readable(self.colour)

    @property
    def rgb(self) -> tuple[int, int, int]:
        return tuple(int(self.colour[i:i + 2], 16) for i in (1, 3, 5))  # type: ignore[return-value]


def _read_spec(spec: Path) -> dict[str, Any]:
    import orjson

    try:
        data = orjson.loads(spec.read_bytes())
    except orjson.JSONDecodeError as exc:
        raise AnalyticsError(f"brand file {spec}: not valid JSON ({exc})") from None
    if not isinstance(data, dict):
        raise AnalyticsError(f"brand file {spec}: expected an object with colour and logo")
    return data


def load_brand(business_id: str, brands_dir: Path | None = None) -> Brand:
    """``<brands_dir>/<business_id>.json`` → :class:`Brand`; the default look when absent.

    A broken brand file is an error for that business only (the batch goes on)."""
    folder = Path(brands_dir or config.BRANDS_DIR)
    spec = folder / f"{business_id}.json"
    if not spec.is_file():
        return Brand()
    data = _read_spec(spec)
    colour = data.get("colour", config.DEFAULT_BRAND_COLOUR)
    if not isinstance(colour, str) or not HEX_COLOUR.match(colour):
        raise AnalyticsError(f"brand file {spec}: colour must look like #1f5f8b, not {colour!r}")
    logo = None
    if data.get("logo"):
        path = (folder / str(data["logo"])).resolve()
        kind = LOGO_TYPES.get(path.suffix.lower())
        if not path.is_relative_to(folder.resolve()) or kind is None or not path.is_file():
            raise AnalyticsError(f"brand file {spec}: logo must be a .png, .jpg or .svg file "
                                 f"inside {folder}, not {data['logo']!r}")
        if path.stat().st_size > config.MAX_LOGO_BYTES:
            raise AnalyticsError(f"brand file {spec}: logo is over "
                                 f"{config.MAX_LOGO_BYTES // 1024} KiB")
        logo = f"data:{kind};base64,{base64.b64encode(path.read_bytes()).decode()}"
    return Brand(colour=colour.lower(), logo=logo)


# --- timing (the benchmark's share of time per stage) -----------------------------------------


class Timer:
    """Seconds spent per stage (``charts``, ``html``, ``pdf``, ``write``) across reports."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - started


# --- HTML ----------------------------------------------------------------------------------


def _svg_markup(svg: bytes) -> Markup:
    """A matplotlib SVG as inline markup (without its XML prolog). The SVG is ours: drawn from
    numbers and labels that matplotlib escapes, so it is safe to embed as-is."""
    text = svg.decode("utf-8")
    return Markup(text[text.index("<svg"):])


MIME_TYPES = {"png": "image/png", "svg": "image/svg+xml"}


def chart_url(name: str, fmt: str | None = None) -> str:
    """Where the print HTML finds chart ``name``: ``chart:trend.png``."""
    return f"chart:{name}.{fmt or config.PDF_CHART_FORMAT}"


def pdf_resources(charts: Mapping[str, Mapping[str, bytes]],
                  fmt: str | None = None) -> dict[str, tuple[bytes, str]]:
    """The charts as the PDF's URL fetcher serves them: ``{"chart:trend.png": (bytes, mime)}``.
    An SVG goes in lean (:mod:`analytics.render.lean_svg`: the same drawing, cheaper for
    WeasyPrint to draw)."""
    from analytics.render.lean_svg import lean_svg

    fmt = fmt or config.PDF_CHART_FORMAT
    lean = lean_svg if fmt == "svg" else bytes
    return {chart_url(name, fmt): (lean(c[fmt]), MIME_TYPES[fmt]) for name, c in charts.items()}


def heat_rows(report: Mapping[str, Any], brand: Brand) -> list[dict[str, Any]]:
    """The posting-time windows arranged as weekday rows of 3-hour cells, each with its
    background colour (the numbers are the model's, untouched)."""
    from analytics.render.contrast import heat_colour

    rows: dict[int, dict[str, Any]] = {}
    for window in report["insights"]["best_posting_times"]:
        row = rows.setdefault(window["weekday"], {"weekday": window["weekday_name"],
                                                  "cells": []})
        row["cells"].append(window | {"colour": heat_colour(window["median_relative_er"],
                                                            window["thin"], brand.rgb)})
    return [rows[d] for d in sorted(rows)]


def context(
    report: Mapping[str, Any],
    *,
    target: str,
    charts: Mapping[str, Mapping[str, bytes]],
    brand: Brand,
    generated_at: datetime,
) -> dict[str, Any]:
    """What the templates see: the model as ``r`` plus the charts (with their text
    alternatives and the donut's slices, computed in charts.py), brand and page facts."""
    from analytics.metrics.results import ContentTypeRow, PlatformRow, PostRow
    from analytics.render.chart_text import describe, mix_slices, trend_weeks

    texts = describe(report)
    if target == "html":
        # the inline SVG carries its own <title>/<desc> (charts.accessible_svg)
        figures = {name: _svg_markup(c["svg"]) for name, c in charts.items()}
    else:
        # served from memory by the PDF's URL fetcher (see pdf_resources): no base64 blob
        # for the HTML parser to crawl through; the alt text becomes the tagged PDF's
        # alternative for the figure
        figures = {name: Markup('<img src="{}" alt="{}">').format(chart_url(name),
                                                                   texts[name].alt)
                   for name in charts}
    blocks = sorted({w["hour"] for w in report["insights"]["best_posting_times"]})
    return {
        "r": report,
        "target": target,
        "charts": figures,
        "chart_text": texts,
        "mix_slices": mix_slices(report),
        "trend_weeks": trend_weeks(report),
        "brand": brand,
        "generated_at": f"{fmt_day(generated_at.date())}, {generated_at:%H:%M} UTC",
        "empty": report["overview"]["total_posts"] == 0,
        "heat": heat_rows(report, brand),
        "blocks": [f"{b:02d}–{(b + config.POSTING_BLOCK_HOURS) % 24:02d}" for b in blocks],
        # the filter offers every platform with posts in the period (the table lists them all)
        "content_platforms": sorted({c["platform"] for c in report["posts"]}),
        # the tables' headings, read off the report model's rows (Record.LABELS)
        "columns": {"platforms": PlatformRow.table_columns(),
                    "types": ContentTypeRow.table_columns(),
                    "posts": PostRow.table_columns()},
    }


def render_html(
    report: Mapping[str, Any],
    *,
    charts: Mapping[str, Mapping[str, bytes]],
    brand: Brand = Brand(),
    templates: Path | None = None,
    target: str = "html",
    generated_at: datetime | None = None,
) -> str:
    """The report as one HTML document (``target="pdf"`` gives the print variant that
    WeasyPrint lays out: raster or SVG images instead of inline SVG, and no script)."""
    generated_at = generated_at or datetime.now(UTC)
    template = environment(templates).get_template(REPORT_TEMPLATE)
    return template.render(context(report, target=target, charts=charts, brand=brand,
                                   generated_at=generated_at))


# --- PDF -----------------------------------------------------------------------------------


class OfflineError(ValueError):
    """A report tried to load something from the network."""


@functools.cache
def _weasyprint() -> Any:
    try:
        import weasyprint
    except (ImportError, OSError) as exc:  # OSError: pango missing
        raise AnalyticsError(
            f"PDF output needs WeasyPrint and pango ({exc}); run `make install` "
            "(it installs libpango-1.0-0, libpangoft2-1.0-0 and fonts-dejavu-core when missing)"
        ) from None
    return weasyprint


def local_fetcher(roots: Sequence[Path] = (),
                  resources: Mapping[str, tuple[bytes, str]] | None = None) -> Any:
    """A WeasyPrint URL fetcher that serves ``resources`` from memory (the charts), ``data:``
    URLs, and ``file:`` URLs inside ``roots`` (the template folders, for a restyled
    template's own images or fonts), and nothing else: never http(s) or ftp. A refused URL is
    kept in ``.refused`` and raises, so WeasyPrint leaves that resource out and goes on."""
    from urllib.request import url2pathname

    from weasyprint.urls import URLFetcher, URLFetcherResponse

    allowed = [Path(root).resolve() for root in roots]
    in_memory = dict(resources or {})

    class LocalOnlyFetcher(URLFetcher):
        def __init__(self) -> None:
            super().__init__(allowed_protocols=("data", "file"), allow_redirects=False)
            self.refused: list[str] = []

        def fetch(self, url: str, headers: Any = None) -> Any:
            scheme = url.split(":", 1)[0].lower()
            if url in in_memory:
                body, mime = in_memory[url]
                return URLFetcherResponse(url, body, {"Content-Type": mime})
            if scheme == "file":
                path = Path(url2pathname(url[5:].split("?")[0].removeprefix("//"))).resolve()
                if any(path.is_relative_to(root) for root in allowed):
                    return super().fetch(url, headers)
            elif scheme == "data":
                return super().fetch(url, headers)
            self.refused.append(url)
            raise OfflineError(f"reports load nothing from outside: refused {url[:80]}")

    return LocalOnlyFetcher()


@functools.cache
def _font_config() -> Any:
    """One font configuration per process (building it reads the system's fonts)."""
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


PRINT_CSS = ("report.css", "print.css")
#: Tagged PDF for screen readers: WeasyPrint's PDF/UA-1 variant (structure tree, /Lang from
#: ``<html lang>``, /Title from ``<title>`` shown as the window title, Alt text from each
#: ``<img alt>``). Costs about nothing per report (benchmarks/bench_render.py);
#: ``config.PDF_OPTIONS`` may override it (``{"pdf_variant": None}`` for an untagged PDF).
PDF_TAGGING: dict[str, object] = {"pdf_variant": "pdf/ua-1"}


def _roots(templates: Path | None) -> list[Path]:
    return [config.TEMPLATES_DIR] + ([Path(templates)] if templates else [])


@functools.lru_cache(maxsize=8)
def print_stylesheet(templates: Path | None = None) -> Any:
    """``report.css`` + ``print.css`` (the user's when overridden) as one WeasyPrint
    stylesheet, parsed once per process: re-parsing them inside every report's HTML cost
    about a tenth of a PDF's time."""
    weasyprint = _weasyprint()
    env = environment(templates)
    css = "\n".join(env.get_template(name).render() for name in PRINT_CSS)
    roots = _roots(templates)
    return weasyprint.CSS(string=css, url_fetcher=local_fetcher(roots),
                          base_url=str(roots[-1].resolve()) + "/", font_config=_font_config())


def render_pdf(
    html: str,
    templates: Path | None = None,
    fetcher: Any = None,
    resources: Mapping[str, tuple[bytes, str]] | None = None,
    *,
    engine: str | None = None,
    refused: list[str] | None = None,
) -> bytes:
    """Lay out the print variant of the HTML (:func:`render_html` with ``target="pdf"``) on A4
    pages and return the tagged PDF's bytes, with ``engine`` (default
    :func:`config.pdf_engine`: ``chromium``, see :mod:`analytics.render.pdf_chromium`, or
    ``weasyprint``). ``resources`` are served from memory (the charts, see
    :func:`pdf_resources`); relative URLs resolve in the template folders; nothing is loaded
    from anywhere else, and ``refused`` (when given) collects what was refused.

    WeasyPrint styles it with :func:`print_stylesheet`; ``fetcher`` (WeasyPrint only)
    defaults to :func:`local_fetcher` over the template folders."""
    engine = config.pdf_engine(engine)
    roots = _roots(templates)
    if engine == "chromium":
        from analytics.render import pdf_chromium

        if fetcher is not None:
            raise ValueError("a URL fetcher is WeasyPrint's; Chromium's page has its own route")
        return pdf_chromium.render_pdf(html, roots, templates, resources, refused)
    weasyprint = _weasyprint()
    fetcher = fetcher if fetcher is not None else local_fetcher(roots, resources)
    document = weasyprint.HTML(string=html, url_fetcher=fetcher,
                               base_url=str(roots[-1].resolve()) + "/")
    pdf = document.write_pdf(stylesheets=[print_stylesheet(templates)],
                             font_config=_font_config(), **(PDF_TAGGING | config.PDF_OPTIONS))
    if refused is not None and hasattr(fetcher, "refused"):
        refused.extend(fetcher.refused)
    return pdf


def warm_up() -> None:
    """Import the rendering stack and render a tiny page once (fonts found, caches filled),
    so worker processes forked afterwards start warm. Called by ``render_preload``."""
    from analytics.render import charts, pdf_chromium

    # the chromium engine's code is imported, but no browser is started: it would not
    # survive the fork into each worker (each starts its own on its first PDF)
    with contextlib.suppress(ImportError):
        import playwright.sync_api  # noqa: F401
    pdf_chromium.print_css(None)
    environment(None)
    print_stylesheet(None)
    drawn = charts.render_charts(WARM_UP_REPORT, [config.PDF_CHART_FORMAT])
    render_pdf('<title>Warm up</title><p style="font-family: DejaVu Sans">Warm <b>up</b> 1,234 –'
               f' 5.6 % ▲▼★×</p><img src="{chart_url("trend")}" alt="trend">',
               resources=pdf_resources(drawn), engine="weasyprint")


#: The smallest model the charts accept (every chart draws its empty state).
WARM_UP_REPORT: dict[str, Any] = {
    "trends": [], "platforms": [], "insights": {"top_content_types": []},
    "period": {"start": "2026-01-05", "end": "2026-01-11", "label": "2026-W02"},
}
