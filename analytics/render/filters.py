"""The Jinja environment of every template, and the formatting filters it registers.

One :class:`~jinja2.Environment`, built in :func:`environment`: autoescape on (post titles
and business names are user text), ``StrictUndefined`` (a misspelt key is an error, not a
blank), the formatting filters (``fmt_*``) registered once; a user's ``--templates DIR`` is
searched before ours (a ``ChoiceLoader``), so a copy of one file restyles the report. The
filters are also the one home of how a number, a day or a title is written, for the email
and the portal too (:mod:`analytics.render` re-exports them).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from analytics import AnalyticsError, config
from analytics.metrics import labels
from analytics.metrics.labels import (  # noqa: F401 - the number words are re-exported
    DASH,
    MINUS,
    NBSP,
    WEEKDAYS,
    coverage_words,
    fmt_number,
    fmt_signed,
    platform_name,
    plural,
    type_label,
)

# --- formatting filters (registered once, in environment()) -------------------------------------


def fmt_percent(value: float | None, digits: int = 1) -> str:
    """``5.4 %`` from 5.43 (rates are percentages in the model, rounded only here)."""
    if value is None:
        return DASH
    return f"{fmt_number(value, digits)}{NBSP}%"


def fmt_usual(per_week: float | None) -> str:
    """A usual posting rate in words: ``4``, ``1.5``, ``less than 1``."""
    if per_week is None:
        return DASH
    if per_week < 0.95:
        return "less than 1"
    return f"{per_week:.0f}" if per_week >= 9.5 or per_week == round(per_week) else \
        f"{per_week:.1f}".removesuffix(".0")


#: Titles are cut at about this many characters on the page (the full text on hover).
TITLE_CHARS = 140


#: A run of this many characters without a space (hashtags, URLs) gets break opportunities.
LONG_WORD = 24
ZWSP = "\u200b"  # zero-width space: an invisible place where a line may break


def breakable(text: str) -> str:
    """``text`` with a zero-width space every 12 characters of a run of 24 or more without a
    space: for HTML only (plain text would carry the invisible characters into a copy)."""
    # table layout (the PDF's, and browsers') sizes a column by its longest unbreakable
    # word: a 140-character hashtag run would push the numbers beside it off the page
    return re.sub(rf"\S{{{LONG_WORD},}}",
                  lambda m: ZWSP.join(m[0][i:i + 12] for i in range(0, len(m[0]), 12)), text)


def css_string(text: str) -> Markup:
    """``text`` as a quoted CSS string, safe inside a ``<style>`` element: every character
    but ASCII letters, digits and the space written as a six-digit escape (``·`` is
    ``\\0000b7 ``; the space after it ends the escape and is not part of the string). No
    quote, backslash, ``<`` or newline of a user's text survives to end the string, the rule
    or the element. Marked safe: HTML escaping would put ``&#34;`` into the CSS."""
    return Markup('"' + "".join(c if c.isascii() and (c.isalnum() or c == " ")
                                else f"\\{ord(c):06x} " for c in text) + '"')


def fmt_title(title: str | None, limit: int = TITLE_CHARS, html: bool = True) -> str:
    """A post title for a table cell: ``(untitled)``, or cut at a word break near ``limit``
    characters with an ellipsis; a 300-character hashtag run is cut too, and (``html``) long
    runs without a space may break every 12 characters."""
    if not title:
        return "(untitled)"
    text = " ".join(title.split())
    if len(text) > limit:
        cut = text[:limit]
        space = cut.rfind(" ")
        if space > limit * 0.7:
            cut = cut[:space]
        text = cut.rstrip() + "…"
    return breakable(text) if html else text


def fit(text: str) -> int:
    """How much a headline figure must shrink to sit whole on one line of its card: 0 (as
    designed, up to 7 characters such as "−75.8 %"), 1 (8), 2 (9 to 11: "976,543,210") or 3
    (12 and more). The report's CSS (``.value.fit-N``) and the email's inline sizes read it;
    a figure never breaks inside ("976,543,2 / 10") and never spills into the next card."""
    n = len(str(text))
    return 0 if n <= 7 else 1 if n == 8 else 2 if n <= 11 else 3


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
    text = f"{moment:%a} {labels.fmt_day_month(moment)}"
    return f"{text}, {moment:%H:%M}" if time_known else text


def fmt_range(start: str, end: str) -> str:
    """``16–22 Nov 2026`` (see :func:`labels.fmt_range`), from two ISO days."""
    return labels.fmt_range(date.fromisoformat(start), date.fromisoformat(end))


def platform_list(platforms: Sequence[str]) -> str:
    names = [platform_name(p) for p in platforms]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def period_unit(label: str, days: int) -> str:
    """A period's kind in the plural, from its label: ``weeks`` (2026-W47), ``months``
    (2026-11), ``quarters`` (2026-Q4), else ``28-day periods``."""
    if "-W" in label:
        return "weeks"
    if "-Q" in label:
        return "quarters"
    return "months" if len(label) == 7 else f"{days}-day periods"


FILTERS: dict[str, Callable[..., Any]] = {
    "number": fmt_number,
    "percent": fmt_percent,
    "signed": fmt_signed,
    "direction": direction,
    "fit": fit,
    "day": fmt_day,
    "posted": fmt_posted,
    "platform": platform_name,
    "platforms": platform_list,
    "ctype": type_label,
    "daterange": fmt_range,
    "usual": fmt_usual,
    "plural": plural,
    "period_unit": period_unit,
    "post_title": fmt_title,
    "breakable": breakable,
    "coverage_words": coverage_words,
    "css_string": css_string,
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
