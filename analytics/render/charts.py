"""The report's charts, drawn with matplotlib: one function per chart.

Each ``draw_*`` function draws one chart of a finished report model (the ``report.json``
dict) onto a figure; :func:`render_charts` draws every chart once and exports it in the
formats asked for (SVG for the HTML, which stays crisp and small; the PDF takes whichever
``config.PDF_CHART_FORMAT`` says, see the benchmark). Charts know nothing of SQL and
compute no metric: they only draw numbers the model already holds.

Design rules:

* one palette, a fixed colour per platform and per content type (``config``), and every
  series is also labelled in words, so a greyscale print still reads;
* the same data gives the same bytes (no dates in the metadata, a fixed SVG hash salt);
* a chart with nothing to show draws a short message instead of an empty axis;
* figures are made once per process and cleared between reports, and text stays text in
  the SVG (``svg.fonttype = none``): both matter over a thousand reports;
* each chart carries its text alternative (:mod:`analytics.render.chart_text`: an SVG
  ``<title>`` and ``<desc>`` naming what it shows and its key numbers); its ids are
  prefixed with the chart's name, since three SVGs inline in one page must not repeat
  ``figure_1`` or a clip path's id; matplotlib's RDF metadata is dropped (HTML allows no
  RDF inside inline SVG).
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from typing import Any

import matplotlib
from markupsafe import escape
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from analytics import config
from analytics.metrics.labels import fmt_day_month, platform_name
from analytics.render.chart_text import (
    ChartText,
    describe,
    mix_slices,
    previous_counted,
    typical_band,
)
from analytics.render.contrast import INK, _blend, readable
from analytics.render.filters import period_unit

MUTED = "#6b7785"
GRID = "#e3e7ec"
#: The "other" slice of the content mix: lighter than every content type's colour.
OTHER_SLICE = "#d9dde2"
#: The earlier periods of the history chart (the report's own period takes the accent).
EARLIER = "#a9b3be"
FONT = ["DejaVu Sans", "Liberation Sans", "sans-serif"]

#: Our look, applied only while our charts are drawn and saved (matplotlib.rc_context), so an
#: analyst's own plots in the same notebook keep theirs; no pyplot and no backend is chosen
#: either: figures are plain objects drawn on an Agg canvas.
STYLE = {
    "font.family": "sans-serif",
    "font.sans-serif": FONT,
    "font.size": 8.5,
    "text.color": INK,
    "axes.edgecolor": GRID,
    "axes.labelcolor": MUTED,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "xtick.color": MUTED,
    "ytick.color": MUTED,
    "xtick.labelsize": 7.5,
    "ytick.labelsize": 7.5,
    # text as <text> elements: a tenth of the bytes of glyph paths, and far less for the
    # PDF renderer to draw; the HTML names the same font family
    "svg.fonttype": "none",
    "svg.hashsalt": "analytics-report",  # deterministic ids in the SVG
    "path.simplify": True,
}

#: Chart sizes in inches (the PDF's text column is 180 mm ≈ 7.1 in wide).
SIZES = {
    "trend": (7.1, 2.0),
    "platforms": (7.1, 2.0),
    "mix": (3.3, 2.5),
    "history": (7.1, 2.6),
}
#: Resolution of raster charts (PNG): sharp on paper and on a laptop screen.
PNG_DPI = 200


def platform_colour(platform: str) -> str:
    return config.PLATFORM_COLOURS.get(platform, config.OTHER_COLOUR)


def type_colour(content_type: str) -> str:
    return config.CONTENT_TYPE_COLOURS.get(content_type, config.OTHER_COLOUR)


# --- figures, made once per process --------------------------------------------------------------

_FIGURES: dict[str, Figure] = {}


def _figure(name: str) -> Figure:
    """The figure for chart ``name``, cleared. Reused: creating a figure and its canvas for
    every chart of every report costs more than drawing some of them."""
    fig = _FIGURES.get(name)
    if fig is None:
        fig = Figure(figsize=SIZES[name], dpi=100)
        FigureCanvasAgg(fig)
        _FIGURES[name] = fig
    else:
        # the last report's axes are dropped as they are: Figure.clear() would first clear
        # each one (new ticks, spines, limits), about a fifth of a chart's time, for axes
        # that are thrown away
        for ax in tuple(fig.axes):
            fig.delaxes(ax)
        fig.clear()
        fig.set_size_inches(*SIZES[name])
    return fig


def _message(fig: Figure, text: str) -> None:
    """The empty state: a quiet sentence where the chart would be, not a broken axis."""
    fig.text(0.5, 0.5, text, ha="center", va="center", color=MUTED, fontsize=9.5, wrap=True)


def export(fig: Figure, fmt: str, name: str = "chart", text: ChartText | None = None) -> bytes:
    """The figure as SVG or PNG bytes, identical for identical drawings. An SVG gets ids
    prefixed with ``chart-<name>-`` and, given ``text``, its ``<title>`` and ``<desc>``."""
    buffer = io.BytesIO()
    if fmt == "svg":
        fig.savefig(buffer, format="svg", transparent=True,
                    metadata={"Date": None, "Creator": None})
        return accessible_svg(buffer.getvalue(), name, text)
    if fmt == "png":
        fig.savefig(buffer, format="png", dpi=PNG_DPI, facecolor="white",
                    metadata={"Software": None})
        return buffer.getvalue()
    raise ValueError(f"unknown chart format {fmt!r}")


_METADATA = re.compile(rb"\s*<metadata>.*?</metadata>", re.S)
_ID_REFS = re.compile(rb'(\bid="|url\(#|href="#)')
_SVG_OPEN = re.compile(rb"<svg\b[^>]*>")


def accessible_svg(svg: bytes, name: str, text: ChartText | None = None) -> bytes:
    """matplotlib's SVG made fit to sit inline in HTML: no RDF metadata block, every id (and
    every ``url(#…)``/``href="#…"`` pointing at one) prefixed with ``chart-<name>-`` so
    charts sharing a page share no id, and ``text`` as ``<title>``/``<desc>`` with
    ``role="img"`` so assistive technology reads the summary instead of the drawing."""
    prefix = f"chart-{name}-".encode()
    svg = _METADATA.sub(b"", svg, count=1)
    svg = _ID_REFS.sub(lambda m: m.group(1) + prefix, svg)
    if text is None:
        return svg
    opening = _SVG_OPEN.search(svg)
    assert opening is not None, "matplotlib wrote an SVG without <svg>"
    title, desc = prefix + b"title", prefix + b"desc"
    tag = opening.group(0)[:-1] + (
        b' role="img" aria-labelledby="' + title + b'" aria-describedby="' + desc + b'">')
    alt = (f'<title id="{title.decode()}">{escape(text.title)}</title>'
           f'<desc id="{desc.decode()}">{escape(text.desc)}</desc>').encode()
    return svg[:opening.start()] + tag + alt + svg[opening.end():]


#: Compact units for chart text: a chart's labels have no room for 9 digits.
_UNITS = (("k", 1e3), ("M", 1e6), ("B", 1e9))


def compact_number(value: float, _pos: Any = None) -> str:
    """A number for a chart's axis or label: ``999``, ``1.5k``, ``120k``, ``1.2M``, ``977M``;
    one decimal under 100 of a unit (``.0`` dropped), none from 100 up, a true minus sign.
    The exact figures are in the chart's text alternative and data table. Also a matplotlib
    tick formatter (``_pos`` is the tick's position, unused)."""
    sign = "\u2212" if value < 0 else ""
    size = abs(value)
    if round(size) < 1000:
        return f"{sign}{size:,.0f}"
    for suffix, unit in _UNITS:  # the smallest unit that keeps it under 1,000 once rounded
        scaled = size / unit
        text = f"{scaled:.0f}" if scaled >= 99.95 else f"{scaled:.1f}".removesuffix(".0")
        if float(text) < 1000 or suffix == "B":
            break
    return f"{sign}{text}{suffix}"


# --- the charts ----------------------------------------------------------------------------------


def draw_trend(fig: Figure, report: Mapping[str, Any], accent: str) -> None:
    """Engagement of the posts published each day, over the trend window, with the report's
    period shaded and the previous period shaded faintly. Days with posts are dots on the
    line; a day without posts is a grey cross on the baseline and a gap in the line (not a
    zero: nothing was posted); a day whose posts earned nothing is a dot at zero; days after
    the as-of date (``posts`` null) have not happened yet and are not drawn."""
    trends = report["trends"]
    if not trends or not any(t["posts"] for t in trends):
        _message(fig, "No posts were published in these weeks, so there is no trend to draw.")
        return
    days = [date.fromisoformat(t["date"]) for t in trends]
    nan = float("nan")
    # a day whose posts report no engagement (yet) is a gap in the line too
    values = [nan if not t["posts"] or t["engagement"] is None else t["engagement"]
              for t in trends]
    known = [v for v in values if v == v]
    if not known:
        _message(fig, "No engagement is known yet for the posts of these weeks.")
        return
    start = date.fromisoformat(report["period"]["start"])
    end = date.fromisoformat(report["period"]["end"])
    prev = report["overview"]["previous"]
    ax = fig.add_axes((0.07, 0.16, 0.91, 0.76))
    x = [(d - days[0]).days for d in days]

    def span(first: date, last: date) -> tuple[float, float]:
        return (first - days[0]).days - 0.5, (last - days[0]).days + 0.5

    ax.axvspan(*span(start, end), color=accent, alpha=0.09, lw=0)
    # the label sits on the shaded period: in the accent, darkened if too pale to read there
    ax.text(span(start, end)[0] + 0.2, 0.98, report["period"]["label"],
            transform=ax.get_xaxis_transform(), va="top", ha="left",
            color=readable(accent, _blend("#ffffff", accent, 0.09)),
            fontsize=7.5, fontweight="bold")
    prev_start, prev_end = date.fromisoformat(prev["start"]), date.fromisoformat(prev["end"])
    if prev_start >= days[0]:
        ax.axvspan(*span(prev_start, prev_end), color=accent, alpha=0.035, lw=0)
        ax.text(span(prev_start, prev_end)[0] + 0.2, 0.98, "previous",
                transform=ax.get_xaxis_transform(), va="top", ha="left", color=MUTED,
                fontsize=7.5)
    future = [i for i, t in enumerate(trends) if t["posts"] is None]
    if future:
        ax.axvspan(x[future[0]] - 0.5, x[future[-1]] + 0.5, color="white", lw=0, zorder=1.5)
        ax.text((x[future[0]] + x[future[-1]]) / 2, 0.5, "not yet", ha="center",
                va="center", transform=ax.get_xaxis_transform(), color=MUTED, fontsize=7.5,
                zorder=2)
    previous = _previous_series(report, days)
    if previous:
        # the previous period, shifted onto this one's days, faint and dashed: a month's or a
        # quarter's trend window holds none of its days, a week's shows them shaded too
        ax.plot(*zip(*previous, strict=True), color=MUTED, lw=1.1, ls=(0, (3, 2)), alpha=0.85,
                marker="o", markersize=2.2, zorder=1.8)
        # above the axes, clear of the data and of the period's label
        fig.text(0.98, 0.995, f"- - previous period, day for day, {previous_counted(report)}",
                 ha="right", va="top", color=MUTED, fontsize=7.5)
        known += [v for _, v in previous if v == v]
    ax.fill_between(x, values, color=accent, alpha=0.12, lw=0)
    ax.plot(x, values, color=accent, lw=1.8, marker="o", markersize=3.2,
            markerfacecolor="white", markeredgewidth=1.2)
    quiet = [i for i, t in enumerate(trends) if t["posts"] == 0]
    if quiet:
        ax.plot([x[i] for i in quiet], [0] * len(quiet), ls="none", marker="x",
                markersize=3.2, color=MUTED, markeredgewidth=1.0, clip_on=False)
    ax.set_xlim(-0.5, x[-1] + 0.5)
    ax.set_ylim(0, max(known) * 1.18 or 1)
    ticks = [i for i, d in enumerate(days) if d.isoweekday() == 1] or [0]
    ax.set_xticks(ticks, [fmt_day_month(days[i]) for i in ticks])
    ax.yaxis.set_major_formatter(compact_number)
    ax.yaxis.set_major_locator(matplotlib.ticker.MaxNLocator(4, integer=True))
    ax.grid(axis="y", color=GRID, lw=0.8)
    ax.set_axisbelow(True)
    ax.tick_params(length=0, pad=4)
    ax.spines["left"].set_visible(False)
    ax.set_ylabel("engagement", fontsize=7.5)


def _previous_series(report: Mapping[str, Any], days: list[date]) -> list[tuple[int, float]]:
    """``(x, engagement)`` of the previous period's days (``previous_trends``), each moved
    forward by the period's length onto the day it compares with, within the chart and not
    past the as-of date (a period under way is compared with as many days, as on the cards);
    a day without posts is a gap (NaN)."""
    period = report["period"]
    if not report.get("previous_trends"):
        return []
    shift = timedelta(days=period["days"])
    last = min(days[-1], date.fromisoformat(period.get("as_of", period["end"])))
    points = []
    for t in report.get("previous_trends") or []:
        day = date.fromisoformat(t["date"]) + shift
        if days[0] <= day <= last:
            value = float("nan") if not t["posts"] or t["engagement"] is None else t["engagement"]
            points.append(((day - days[0]).days, value))
    return points if any(v == v for _, v in points) else []


def draw_platforms(fig: Figure, report: Mapping[str, Any]) -> None:
    """Engagement per platform (horizontal bars, most first), each bar labelled with its
    engagement and engagement rate, so neither colour nor legend is needed to read it."""
    platforms = report["platforms"]
    if not any(p["posts"] for p in platforms):
        _message(fig, "No posts on any platform in this period.")
        return
    height = 0.3 + 0.24 * len(platforms)
    fig.set_size_inches(SIZES["platforms"][0], height)
    bottom, top = 0.12 / height, 1 - 0.08 / height
    ax = fig.add_axes((0.13, bottom, 0.72, top - bottom))
    rows = list(reversed(platforms))
    values = [p["engagement"] or 0 for p in rows]  # not reported: no bar, and said in words
    ax.barh(range(len(rows)), values, height=0.62,
            color=[platform_colour(p["platform"]) for p in rows])
    peak = max(values) or 1
    labels = []
    for i, (p, value) in enumerate(zip(rows, values, strict=True)):
        rate = p["engagement_rate"]
        label = ("no posts this period" if not p["posts"] else
                 "engagement not reported" if p["engagement"] is None else
                 f"{p['engagement']:,}"
                 + (f"  ·  {rate:.1f}\u00a0% ER" if rate is not None else ""))
        labels.append(ax.annotate(label, (value, i), xytext=(LABEL_GAP, 0),
                                  textcoords="offset points", va="center", fontsize=7.5,
                                  color=INK))
    ax.set_yticks(range(len(rows)), [platform_name(p["platform"]) for p in rows], fontsize=8)
    ax.set_xlim(0, _room_for_labels(fig, ax, values, labels, peak * 1.02))
    ax.set_xticks([])
    ax.tick_params(length=0, pad=6)
    for side in ("left", "bottom"):
        ax.spines[side].set_visible(False)


#: Points between a bar's end and its label.
LABEL_GAP = 3.0


def _room_for_labels(fig: Figure, ax: Any, values: list[float], labels: list[Any],
                     least: float) -> float:
    """The x-axis limit that keeps every bar's label (placed LABEL_GAP points after its bar)
    inside the figure: the longest bar's "15,037,034 · 1.5 % ER" must not run off the chart's
    right edge, where the SVG cuts it and the PDF prints it into the margin. Widths are
    measured with the font the SVG names (DejaVu Sans, as matplotlib draws it)."""
    renderer = fig.canvas.get_renderer()
    to_points = 72 / fig.dpi
    axes = ax.get_window_extent(renderer)
    width = axes.width * to_points  # the bars' room, in points
    beyond = (fig.bbox.width - axes.x1) * to_points - 2  # the figure right of the axes
    limit = least
    for value, label in zip(values, labels, strict=True):
        text = label.get_window_extent(renderer).width * to_points
        room = width + beyond - LABEL_GAP - text  # where the bar may end, in points
        limit = max(limit, value * width / max(room, width * 0.25))
    return limit


def draw_mix(fig: Figure, report: Mapping[str, Any]) -> None:
    """Share of the period's engagement by content type, as a donut labelled in words."""
    types = [{"content_type": s.content_type, "engagement": s.engagement, "name": s.label,
              "share": s.share} for s in mix_slices(report)]
    if not types:
        _message(fig, "No engagement to split by content type.")
        return
    total = sum(t["engagement"] for t in types)
    ax = fig.add_axes((0.0, 0.02, 0.56, 0.96))
    ax.pie(
        [t["engagement"] for t in types],
        colors=[OTHER_SLICE if t["content_type"] == "other" else type_colour(t["content_type"])
                for t in types],
        startangle=90, counterclock=False,
        wedgeprops={"width": 0.38, "edgecolor": "white", "linewidth": 1.5},
    )
    # the hole fits about six digits at this size: larger totals are compact ("26.8M"), the
    # exact figure is in the chart's text alternative and the content-types table
    centre = f"{total:,}" if total < 100_000 else compact_number(total)
    ax.text(0, 0.08, centre, ha="center", va="center", fontsize=11, fontweight="bold")
    ax.text(0, -0.16, "engagement", ha="center", va="center", fontsize=7, color=MUTED)
    ax.set_aspect("equal")
    # the legend is text with a swatch: share and name, readable without colour
    step = min(0.14, 0.9 / len(types))
    top = 0.5 + step * (len(types) - 1) / 2
    for i, t in enumerate(types):
        y = top - i * step
        fig.patches.append(matplotlib.patches.Rectangle(
            (0.58, y - 0.025), 0.035, 0.05, transform=fig.transFigure, figure=fig,
            color=OTHER_SLICE if t["content_type"] == "other" else type_colour(t["content_type"])))
        fig.text(0.64, y, f"{t['share']:.0f}\u00a0%", va="center", fontsize=8, fontweight="bold")
        fig.text(0.76, y, t["name"], va="center", fontsize=8)


def _short_label(label: str) -> str:
    """``2026-W47`` → ``W47``, ``2026-11`` → ``Nov``, ``2026-Q4`` → ``Q4 26``; ranges: their
    first day (``2 Nov``)."""
    if "-W" in label:
        return label.split("-", 1)[1]
    if "-Q" in label:
        year, quarter = label.split("-")
        return f"{quarter} {year[2:]}"
    if len(label) == 7:
        return date(int(label[:4]), int(label[5:]), 1).strftime("%b")
    return fmt_day_month(date.fromisoformat(label[:10]))


def draw_history(fig: Figure, report: Mapping[str, Any], accent: str) -> None:
    """Small multiples of the last periods (posts, engagement, engagement rate), oldest first:
    this period in the accent colour and labelled with its value, the earlier ones grey, and
    each panel's typical periods (the middle half of the earlier ones: a level, not the cards'
    usual range of changes) shaded. A period without
    engagement is a gap. Kept lean (no y-axis labels: the shading and the labelled value say
    it), as every element costs the PDF renderer time in every report."""
    history = report.get("history") or []
    if not any(h["posts"] for h in history):
        _message(fig, "No posts in these periods, so there is no history to draw.")
        return
    x = list(range(len(history)))
    panels = (("posts", "posts", False), ("engagement", "engagement", False),
              ("engagement_rate", "engagement rate", True))
    width = 0.9 / len(panels)
    for i, (key, title, as_line) in enumerate(panels):
        ax = fig.add_axes((0.04 + i * (width + 0.03), 0.2, width - 0.02, 0.64))
        values = [h[key] for h in history]
        typical = typical_band(values[:-1])
        if typical:  # over the bars, translucent: visible behind none of them
            ax.axhspan(typical[0], typical[1], color=INK, alpha=0.1, lw=0, zorder=4)
        drawn = [float("nan") if v is None else v for v in values]
        if as_line:
            ax.plot(x[:-1], drawn[:-1], color=EARLIER, lw=1.4, marker="o", markersize=3)
            ax.plot(x[-1:], drawn[-1:], color=accent, marker="o", markersize=6, lw=0)
        else:
            ax.bar(x, [0 if v != v else v for v in drawn], width=0.7, zorder=2,
                   color=[EARLIER] * (len(x) - 1) + [accent])
        known = [v for v in values if v is not None]
        ax.set_ylim(0, (max(known) * 1.25) if known and max(known) > 0 else 1)
        ax.set_title(title, fontsize=8, color=INK, loc="left")
        current = values[-1]
        if current is not None:
            text = f"{current:.1f}\u00a0%" if as_line else compact_number(current)
            ax.annotate(text, (x[-1], current), xytext=(0, 4), textcoords="offset points",
                        ha="center", va="bottom", fontsize=7, color=accent, fontweight="bold")
        ticks = [0, len(x) - 1] if len(x) > 1 else [0]
        ax.set_xticks(ticks, [_short_label(history[t]["label"]) for t in ticks])
        ax.set_xlim(-0.6, len(x) - 0.4)
        ax.set_yticks([])
        ax.tick_params(length=0, pad=3)
        ax.spines["left"].set_visible(False)
    unit = period_unit(report["period"]["label"], report["period"]["days"])
    fig.text(0.04, 0.04, f"shaded: your typical {unit} (the middle half of the earlier {unit})",
             fontsize=7, color=MUTED)


CHARTS = {
    "trend": draw_trend,
    "platforms": draw_platforms,
    "mix": draw_mix,
    "history": draw_history,
}
#: Charts drawn in the report's accent colour.
ACCENTED = ("trend", "history")


def render_charts(
    report: Mapping[str, Any], formats: Iterable[str], accent: str = config.DEFAULT_BRAND_COLOUR
) -> dict[str, dict[str, bytes]]:
    """Every chart of a report, drawn once each and exported in each of ``formats``:
    ``{"trend": {"svg": b"…", "png": b"…"}, …}``."""
    formats = tuple(dict.fromkeys(formats))
    texts = describe(report)
    charts: dict[str, dict[str, bytes]] = {}
    with matplotlib.rc_context(STYLE):
        for name, draw in CHARTS.items():
            fig = _figure(name)
            if name in ACCENTED:
                draw(fig, report, accent)
            else:
                draw(fig, report)
            charts[name] = {fmt: export(fig, fmt, name, texts[name]) for fmt in formats}
    return charts
