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


def fmt_day(day: date) -> str:
    """``22 Nov 2026``."""
    return f"{day.day} {day.strftime('%b %Y')}"
