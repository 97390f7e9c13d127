"""Rendering a finished report model as HTML and PDF.

Rendering reads the ``report.json`` dict (:meth:`analytics.report.Report.to_dict`) and nothing
else: every number shown comes from the model; templates only format and arrange them.

* one Jinja :class:`~jinja2.Environment`, built in :func:`environment`: autoescape on (post
  titles and business names are user text), ``StrictUndefined`` (a misspelt key is an error,
  not a blank), the formatting filters registered once; a user's ``--templates DIR`` is
  searched before ours (a ``ChoiceLoader``), so a copy of one file restyles the report;
* HTML is one self-contained file (inline CSS, inline SVG charts, an inline sort/filter
  script), so it opens offline;
* the PDF is the same templates laid out by WeasyPrint for A4, with a URL fetcher that only
  serves the charts (from memory), ``data:`` URLs and files inside the template folders, so
  rendering never touches the network; it is a tagged PDF/UA-1 document (:data:`PDF_TAGGING`):
  a structure tree in reading order, headings, table headers, the charts' alternative
  text, the title and language, which a screen reader needs.
"""

from __future__ import annotations

import base64
import functools
import re
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from analytics import AnalyticsError, config
from analytics.metrics import labels
from analytics.metrics.labels import WEEKDAYS, platform_name, type_label

REPORT_TEMPLATE = "report.html.j2"
INDEX_TEMPLATE = "index.html.j2"
HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}\Z")  # \Z: "$" would let a trailing newline through
LOGO_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
              ".svg": "image/svg+xml"}


# --- formatting filters (registered once, in environment()) -------------------------------------

DASH = "–"
#: Between a number and its unit ("57 %"), so a line never breaks between them.
NBSP = "\u00a0"
MINUS = "−"  # a true minus sign (U+2212), never a hyphen


def _minus(text: str) -> str:
    return MINUS + text[1:] if text.startswith("-") else text


def fmt_number(value: float | None, digits: int = 0) -> str:
    """``12,345`` (or ``–`` for a missing value)."""
    if value is None:
        return DASH
    return _minus(f"{value:,.{digits}f}")


def fmt_percent(value: float | None, digits: int = 1) -> str:
    """``5.4 %`` from 5.43 (rates are percentages in the model, rounded only here)."""
    if value is None:
        return DASH
    return _minus(f"{value:,.{digits}f}{NBSP}%")


def fmt_signed(value: float | None, digits: int = 0, unit: str = " %") -> str:
    """``+9 %`` / ``−3 %`` (a true minus sign), ``±0 %`` for no change."""
    if value is None:
        return DASH
    rounded = round(value, digits)
    sign = "+" if rounded > 0 else MINUS if rounded < 0 else "±"
    return f"{sign}{abs(rounded):,.{digits}f}{unit.replace(' ', NBSP)}"


def fmt_usual(per_week: float | None) -> str:
    """A usual posting rate in words: ``4``, ``1.5``, ``less than 1``."""
    if per_week is None:
        return DASH
    if per_week < 0.95:
        return "less than 1"
    return f"{per_week:.0f}" if per_week >= 9.5 or per_week == round(per_week) else \
        f"{per_week:.1f}".removesuffix(".0")


def plural(count: int | float | None, word: str, many: str | None = None) -> str:
    """``1 post``, ``2 posts``, ``1,234 posts`` (``many`` for irregular plurals)."""
    shown = fmt_number(count)
    return f"{shown} {word if count == 1 else (many or word + 's')}"


#: Titles are cut at about this many characters on the page (the full text on hover).
TITLE_CHARS = 140


#: A run of this many characters without a space (hashtags, URLs) gets break opportunities.
LONG_WORD = 24
ZWSP = "\u200b"  # zero-width space: an invisible place where a line may break


def _breakable(text: str) -> str:
    # table layout (the PDF's, and browsers') sizes a column by its longest unbreakable
    # word: a 140-character hashtag run would push the numbers beside it off the page
    return re.sub(rf"\S{{{LONG_WORD},}}",
                  lambda m: ZWSP.join(m[0][i:i + 12] for i in range(0, len(m[0]), 12)), text)


def fmt_title(title: str | None, limit: int = TITLE_CHARS) -> str:
    """A post title for a table cell: ``(untitled)``, or cut at a word break near ``limit``
    characters with an ellipsis; a 300-character hashtag run is cut too, and long runs
    without a space may break every 12 characters."""
    if not title:
        return "(untitled)"
    text = " ".join(title.split())
    if len(text) > limit:
        cut = text[:limit]
        space = cut.rfind(" ")
        if space > limit * 0.7:
            cut = cut[:space]
        text = cut.rstrip() + "…"
    return _breakable(text)


def direction(value: float | None) -> str:
    """CSS class of a change: ``up``, ``down``, ``flat`` or ``none`` (unknown)."""
    if value is None:
        return "none"
    return "up" if value > 0.05 else "down" if value < -0.05 else "flat"


def fmt_day(value: str | date | None) -> str:
    """``16 Nov 2026`` (see :func:`labels.fmt_day`), from a date or an ISO string."""
    if value is None:
        return DASH
    return labels.fmt_day(date.fromisoformat(value[:10]) if isinstance(value, str) else value)


def fmt_posted(value: str | None, time_known: bool = True) -> str:
    """``Mon 16 Nov, 08:32`` in the business's timezone (the model stores local ISO times);
    without the hour when the export gave none."""
    if value is None:
        return DASH
    moment = datetime.fromisoformat(value)
    text = f"{moment:%a} {moment.day} {moment:%b}"
    return f"{text}, {moment:%H:%M}" if time_known else text


def fmt_range(start: str, end: str) -> str:
    """``16–22 Nov 2026``, ``28 Oct – 3 Nov 2026``, ``29 Dec 2025 – 4 Jan 2026``."""
    a, b = date.fromisoformat(start), date.fromisoformat(end)
    if a == b:
        return fmt_day(a)
    if (a.year, a.month) == (b.year, b.month):
        return f"{a.day}–{b.day} {b:%b %Y}"
    if a.year == b.year:
        return f"{a.day} {a:%b} – {b.day} {b:%b %Y}"
    return f"{fmt_day(a)} – {fmt_day(b)}"


def platform_list(platforms: Sequence[str]) -> str:
    names = [platform_name(p) for p in platforms]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


FILTERS: dict[str, Callable[..., Any]] = {
    "number": fmt_number,
    "percent": fmt_percent,
    "signed": fmt_signed,
    "direction": direction,
    "day": fmt_day,
    "posted": fmt_posted,
    "platform": platform_name,
    "platforms": platform_list,
    "ctype": type_label,
    "daterange": fmt_range,
    "usual": fmt_usual,
    "plural": plural,
    "post_title": fmt_title,
}


# --- the environment --------------------------------------------------------------------------


def _strict(filter_: Callable[..., Any]) -> Callable[..., Any]:
    """A filter that names a missing key (``'dict object' has no attribute 'total_post'``)
    instead of failing somewhere inside string formatting."""

    @functools.wraps(filter_)
    def checked(value: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(value, jinja2.Undefined):
            value._fail_with_undefined_error()
        return filter_(value, *args, **kwargs)

    return checked


@functools.lru_cache(maxsize=8)
def environment(templates: Path | None = None) -> jinja2.Environment:
    """The one Jinja environment: ``templates`` (a user's folder) first, then ours."""
    loaders: list[jinja2.BaseLoader] = []
    if templates is not None:
        if not Path(templates).is_dir():
            raise AnalyticsError(f"--templates {templates}: no such folder")
        loaders.append(jinja2.FileSystemLoader(str(templates)))
    loaders.append(jinja2.FileSystemLoader(str(config.TEMPLATES_DIR)))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=True,  # every template, whatever its name: all of them emit HTML
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    env.filters.update({name: _strict(f) for name, f in FILTERS.items()})
    env.globals.update(
        WEEKDAYS=WEEKDAYS,
        settings={
            "min_views_for_ranking": config.MIN_VIEWS_FOR_RANKING,
            "fixed_age_days": config.INSIGHT_FIXED_AGE_DAYS,
            "lookback_weeks": round(config.INSIGHT_LOOKBACK_DAYS / 7),
            "block_hours": config.POSTING_BLOCK_HOURS,
            "min_posts_per_window": config.MIN_POSTS_PER_WINDOW,
            "min_posts_for_timing": config.MIN_POSTS_FOR_TIMING,
            "min_posts_per_group": config.MIN_POSTS_PER_GROUP,
            "recent_weeks": round(config.TREND_RECENT_DAYS / 7),
            "fdr_percent": config.FDR_Q * 100,
            "min_timing_lift": config.MIN_TIMING_LIFT,
            "min_type_ratio": config.MIN_TYPE_RATIO,
            "min_trend_change_percent": config.MIN_TREND_CHANGE * 100,
        },
    )
    return env


def template_files(templates: Path | None = None) -> list[Path]:
    """Every file the templates are made of, ours then the user's (for the fingerprint)."""
    folders = [config.TEMPLATES_DIR] + ([Path(templates)] if templates else [])
    return sorted((p for folder in folders for p in folder.rglob("*") if p.is_file()),
                  key=lambda p: (str(p.parent), p.name))


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
        from analytics.render.charts import readable

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
    """The charts as the PDF's URL fetcher serves them: ``{"chart:trend.png": (bytes, mime)}``."""
    fmt = fmt or config.PDF_CHART_FORMAT
    return {chart_url(name, fmt): (c[fmt], MIME_TYPES[fmt]) for name, c in charts.items()}


def heat_rows(report: Mapping[str, Any], brand: Brand) -> list[dict[str, Any]]:
    """The posting-time windows arranged as weekday rows of 3-hour cells, each with its
    background colour (the numbers are the model's, untouched)."""
    from analytics.render.charts import heat_colour

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
    from analytics.render.charts import describe, mix_slices, trend_weeks

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
) -> bytes:
    """Lay out the print variant of the HTML (:func:`render_html` with ``target="pdf"``) on A4
    pages, styled by :func:`print_stylesheet`, and return the PDF bytes. ``resources`` are
    served from memory (the charts, see :func:`pdf_resources`); relative URLs resolve in the
    template folder; ``fetcher`` defaults to :func:`local_fetcher` over the template folders."""
    weasyprint = _weasyprint()
    roots = _roots(templates)
    fetcher = fetcher if fetcher is not None else local_fetcher(roots, resources)
    document = weasyprint.HTML(string=html, url_fetcher=fetcher,
                               base_url=str(roots[-1].resolve()) + "/")
    return document.write_pdf(stylesheets=[print_stylesheet(templates)],
                              font_config=_font_config(),
                              **(PDF_TAGGING | config.PDF_OPTIONS))


def warm_up() -> None:
    """Import the rendering stack and render a tiny page once (fonts found, caches filled),
    so worker processes forked afterwards start warm. Called by ``render_preload``."""
    from analytics.render import charts

    environment(None)
    print_stylesheet(None)
    drawn = charts.render_charts(WARM_UP_REPORT, [config.PDF_CHART_FORMAT])
    render_pdf('<title>Warm up</title><p style="font-family: DejaVu Sans">Warm <b>up</b> 1,234 –'
               f' 5.6 % ▲▼★×</p><img src="{chart_url("trend")}" alt="trend">',
               resources=pdf_resources(drawn))


#: The smallest model the charts accept (every chart draws its empty state).
WARM_UP_REPORT: dict[str, Any] = {
    "trends": [], "platforms": [], "insights": {"top_content_types": []},
    "period": {"start": "2026-01-05", "end": "2026-01-11", "label": "2026-W02"},
}
