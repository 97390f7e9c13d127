"""What things are called in sentences and tables: platforms, content types, weekdays."""

from __future__ import annotations

from datetime import date

from analytics import config

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
