"""What things are called in sentences and tables: platforms, content types, weekdays, and
how a number, a signed change and a count of things are written.

The one home of these words: the insights' sentences (this layer), the templates' filters
(:mod:`analytics.render.filters` re-exports them), the email, the portal and the CLI all
write numbers through here, so a minus sign or a plural is right everywhere or nowhere."""

from __future__ import annotations

from datetime import date

from analytics import config
from analytics.metrics.results import COVERED, NOT_COVERED, PARTLY_COVERED

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
PLATFORM_NAMES = {
    "x": "X",
    "facebook": "Facebook",
    "instagram": "Instagram",
    "linkedin": "LinkedIn",
    "tiktok": "TikTok",
    "youtube": "YouTube",
}
#: Plural labels for content types in sentences ("Video on LinkedIn", "Carousels on Instagram").
TYPE_LABELS = {
    "video": "Video",
    "image": "Images",
    "text": "Text posts",
    "link": "Link posts",
    "carousel": "Carousels",
    "reel": "Reels",
    "short": "Shorts",
    "story": "Stories",
    "document": "Documents",
    "article": "Articles",
    "live": "Live videos",
}


DASH = "–"
#: Between a number and its unit ("57 %"), so a line never breaks between them.
NBSP = "\u00a0"
MINUS = "−"  # a true minus sign (U+2212), never a hyphen


def _minus(text: str) -> str:
    return MINUS + text[1:] if text.startswith("-") else text


def fmt_number(value: float | None, digits: int = 0) -> str:
    """``12,345`` (or ``–`` for a missing value); ``−3`` with a true minus sign."""
    if value is None:
        return DASH
    return _minus(f"{value:,.{digits}f}")


def fmt_signed(value: float | None, digits: int = 0, unit: str = " %") -> str:
    """``+9 %`` / ``−3 %`` (a true minus sign), ``±0 %`` for no change."""
    if value is None:
        return DASH
    rounded = round(value, digits)
    sign = "+" if rounded > 0 else MINUS if rounded < 0 else "±"
    return f"{sign}{abs(rounded):,.{digits}f}{unit.replace(' ', NBSP)}"


def plural(count: int | float | None, word: str, many: str | None = None) -> str:
    """``1 post``, ``2 posts``, ``0 posts``, ``1,234 posts`` (``many`` for irregular plurals:
    ``plural(n, "business", "businesses")``)."""
    shown = fmt_number(count)
    return f"{shown} {word if count == 1 else (many or word + 's')}"


#: How the previous period's coverage (``overview.previous_coverage``) is worded after its name
#: ("last week only partly covered"): the cards, the appendix, the email and the portal.
COVERAGE_WORDS = {COVERED: "", PARTLY_COVERED: "only partly covered", NOT_COVERED: "not covered"}


def coverage_words(coverage: str) -> str:
    """``only partly covered`` / ``not covered``, or ``""`` when the data covers all of it."""
    try:
        return COVERAGE_WORDS[coverage]
    except KeyError:
        # a misspelt key must not silently read as "fully covered" in a report
        raise ValueError(f"unknown previous_coverage {coverage!r}") from None


def platform_name(platform: str) -> str:
    return PLATFORM_NAMES.get(platform, platform.title())


def type_label(content_type: str) -> str:
    return TYPE_LABELS.get(content_type, content_type.replace("_", " ").capitalize())


def window_label(weekday: int, block_start: int) -> str:
    """``Tuesday 18:00–21:00`` for weekday 2 (ISO, Monday = 1) and the block starting at 18."""
    end = block_start + config.POSTING_BLOCK_HOURS
    return f"{WEEKDAYS[weekday - 1]} {block_start:02d}:00–{end % 24:02d}:00"


def fmt_day_month(day: date) -> str:
    """``22 Nov``: a day without its year (a chart's axis, a range whose year is said once)."""
    return f"{day.day} {day:%b}"


def fmt_day(day: date) -> str:
    """``22 Nov 2026``."""
    return f"{fmt_day_month(day)} {day.year}"


def fmt_range(start: date, end: date) -> str:
    """``16–22 Nov 2026``, ``28 Oct – 3 Nov 2026``, ``29 Dec 2025 – 4 Jan 2026``; one day is
    ``16 Nov 2026``."""
    if start == end:
        return fmt_day(start)
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}–{fmt_day(end)}"
    if start.year == end.year:
        return f"{fmt_day_month(start)} – {fmt_day(end)}"
    return f"{fmt_day(start)} – {fmt_day(end)}"
