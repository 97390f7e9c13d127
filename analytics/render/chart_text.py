"""The charts' text alternatives: what each chart shows, in words and numbers.

Every chart carries a ``<title>`` and ``<desc>`` (:func:`describe`), and the HTML and PDF
print the numbers beside it as a table (:func:`trend_weeks`, :func:`mix_slices`): the same
numbers the chart draws, so a reader who cannot see the chart loses nothing. Nothing here
draws; :mod:`analytics.render.charts` draws from the same slices.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from analytics.metrics.labels import fmt_day_month, platform_name, plural, type_label
from analytics.render.filters import fmt_range, period_unit


@dataclass(frozen=True)
class Slice:
    """One slice of the content-mix donut: a content type (or ``other``), its engagement
    and its share of the period's engagement in percent."""

    content_type: str
    label: str
    engagement: int
    share: float


def mix_slices(report: Mapping[str, Any]) -> list[Slice]:
    """The donut's slices, largest first; more than six slivers cannot be read, so the
    smallest fold into "other". The chart, its summary and its data table all use these."""
    types = sorted((t for t in report["insights"]["top_content_types"] if t["engagement"]),
                   key=lambda t: (-t["engagement"], t["content_type"]))
    if len(types) > 6:
        other = sum(t["engagement"] for t in types[5:])
        types = types[:5] + [{"content_type": "other", "engagement": other}]
    total = sum(t["engagement"] for t in types)
    return [Slice(t["content_type"],
                  "Other" if t["content_type"] == "other" else type_label(t["content_type"]),
                  t["engagement"], t["engagement"] * 100 / total) for t in types]


@dataclass(frozen=True)
class TrendDay:
    """One day of the trend chart as its data table shows it: ``shown`` is False for the
    days of a calendar week that fall outside the trend window (an empty cell)."""

    day: date
    posts: int
    engagement: int | None
    shown: bool = True


@dataclass(frozen=True)
class TrendWeek:
    """One row of the trend's data table: the Monday that starts it and its seven days."""

    monday: date
    days: list[TrendDay]


def trend_weeks(report: Mapping[str, Any]) -> list[TrendWeek]:
    """The trend chart's numbers as a calendar, a week a row (Monday first): four rows of
    seven cells for the usual 28 days, a quarter of the cells a row per day would take (the
    PDF lays out every report's table, and a long one cost a fifth of the rendering)."""
    points = {date.fromisoformat(t["date"]): t for t in report["trends"]}
    if not points:
        return []
    first, last = min(points), max(points)
    monday = first - timedelta(days=first.weekday())
    weeks = []
    while monday <= last:
        days = []
        for offset in range(7):
            day = monday + timedelta(days=offset)
            point = points.get(day)
            days.append(TrendDay(day, point["posts"], point["engagement"]) if point
                        else TrendDay(day, 0, None, shown=False))
        weeks.append(TrendWeek(monday, days))
        monday += timedelta(days=7)
    return weeks



@dataclass(frozen=True)
class ChartText:
    """A chart's text alternative: ``title`` names what it shows, ``desc`` gives the numbers
    a reader would take from it (the full numbers are in the tables beside it)."""

    title: str
    desc: str

    @property
    def alt(self) -> str:
        return f"{self.title}. {self.desc}"


def describe(report: Mapping[str, Any]) -> dict[str, ChartText]:
    """Every chart's text alternative, from the same numbers the chart draws."""
    return {"trend": _describe_trend(report), "platforms": _describe_platforms(report),
            "mix": _describe_mix(report), "history": _describe_history(report)}


def _describe_history(report: Mapping[str, Any]) -> ChartText:
    history = report.get("history") or []
    title = f"Posts, engagement and engagement rate over the last {len(history)} periods"
    if not any(h["posts"] for h in history):
        return ChartText(title, "No posts in these periods.")
    current = history[-1]
    known = [h for h in history if h["engagement"] is not None]
    desc = (f"{current['label']}: {plural(current['posts'], 'post')}, "
            + (plural(current["engagement"], "engagement") if current["engagement"] is not None
               else "engagement unknown")
            + (f", {current['engagement_rate']:.1f} % engagement rate."
               if current["engagement_rate"] is not None else "."))
    if known:
        peak = max(known, key=lambda h: (h["engagement"], h["start"]))
        desc += f" Most engagement: {peak['engagement']:,} in {peak['label']}."
    band = typical_band([h["engagement"] for h in history[:-1]])
    if band:
        unit = period_unit(report["period"]["label"], report["period"]["days"])
        desc += (f" Shaded: your typical {unit}, the middle half of the earlier {unit} "
                 f"(engagement {round(band[0]):,} to {round(band[1]):,}).")
    return ChartText(title, desc)


def typical_band(values: list[float | None]) -> tuple[float, float] | None:
    """The history chart's shaded band, "your typical weeks" (months, quarters): the middle
    half (25th to 75th percentile) of the earlier periods' known values. A level, not a
    change: the cards' "usual range" is the spread of the week-to-week changes (see
    :mod:`analytics.metrics.usual`), so the two are never called by one name. None with fewer
    than four known values."""
    known = sorted(v for v in values if v is not None)
    if len(known) < 4:
        return None

    def at(q: float) -> float:
        position = q * (len(known) - 1)
        low = int(position)
        high = min(low + 1, len(known) - 1)
        return known[low] + (known[high] - known[low]) * (position - low)

    return at(0.25), at(0.75)


def _describe_trend(report: Mapping[str, Any]) -> ChartText:
    trends = report["trends"]
    period = report["period"]
    window = fmt_range(trends[0]["date"], trends[-1]["date"]) if trends else period["label"]
    title = f"Engagement per day of publication, {window}"
    known = [t for t in trends if t["engagement"] is not None]
    if not known or not any(t["posts"] for t in trends):
        return ChartText(title, "No engagement to show for these days.")
    peak = max(known, key=lambda t: (t["engagement"], t["date"]))
    inside = [t for t in known if period["start"] <= t["date"] <= period["end"]]
    desc = f"Peak {peak['engagement']:,} on {fmt_day_month(date.fromisoformat(peak['date']))}."
    if inside:
        desc += (f" In this report's period ({fmt_range(period['start'], period['end'])}): "
                 f"{plural(sum(t['engagement'] for t in inside), 'engagement')} from "
                 f"{plural(sum(t['posts'] for t in inside), 'post')}.")
    # the days the chart draws: as many as this period has had (all, once it is complete)
    last = min(period["end"], period.get("as_of", period["end"]))
    seen = (date.fromisoformat(last) - date.fromisoformat(period["start"])).days + 1
    previous = [t for t in (report.get("previous_trends") or [])[:seen]
                if t["posts"] is not None]
    if previous:
        desc += (f" The previous period ({fmt_range(previous[0]['date'], previous[-1]['date'])}"
                 f", dashed, day for day, {previous_counted(report)}): "
                 f"{plural(sum(t['engagement'] or 0 for t in previous), 'engagement')} from "
                 f"{plural(sum(t['posts'] for t in previous), 'post')}.")
    return ChartText(title, desc)


def previous_counted(report: Mapping[str, Any]) -> str:
    """How the previous period's days are counted (``previous_trends``), as the cards count
    that period: at the same age as this period's posts, or as of the same day when they were
    not observed that early (``overview.growth_basis``)."""
    return ("counted as of the same day"
            if (report.get("overview") or {}).get("growth_basis") == "same_day"
            else "counted at the same age")


def _describe_platforms(report: Mapping[str, Any]) -> ChartText:
    title = "Engagement per platform"
    parts = []
    for p in report["platforms"]:
        if p["engagement"] is None:
            parts.append(f"{platform_name(p['platform'])} not reported")
        else:
            rate = p["engagement_rate"]
            parts.append(f"{platform_name(p['platform'])} {p['engagement']:,}"
                         + (f" ({rate:.1f} % engagement rate)" if rate is not None else ""))
    return ChartText(title, "; ".join(parts) + "." if parts else "No posts on any platform.")


def _describe_mix(report: Mapping[str, Any]) -> ChartText:
    title = "Share of engagement by content type"
    slices = mix_slices(report)
    if not slices:
        return ChartText(title, "No engagement to split by content type.")
    total = sum(s.engagement for s in slices)
    return ChartText(title, f"{plural(total, 'engagement')} in all: " + ", ".join(
        f"{s.label} {s.share:.0f} %" for s in slices) + ".")
