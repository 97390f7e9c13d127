"""What the weekly email says first, and its Subject header as the reader sees it.

:func:`top_message` picks the lead of both bodies (the plain text and the HTML share it, so
it is plain text: the HTML template adds its own break points); :func:`set_subject` puts the
Subject on a message so that it reads back exactly as written. :mod:`.deliver` composes the
message around them.
"""

from __future__ import annotations

from collections.abc import Mapping
from email.header import Header
from email.message import EmailMessage
from typing import Any


def set_subject(message: EmailMessage, text: str) -> None:
    """Set the Subject, folded so that it reads back exactly as ``text``.

    The SMTP policy's folder mixes plain words and encoded words (RFC 2047) when a long
    subject holds a non-ASCII character (the en dash of ``16–22 Nov``): it then folds before
    an encoded word after a space it keeps, and the subject reads back with two spaces (or
    none). A non-ASCII subject is therefore encoded whole as UTF-8 encoded words, which
    readers join without any space between them; an ASCII one is folded by the policy."""
    if text.isascii():
        message["Subject"] = text
    else:
        message.set_raw("Subject", Header(text, "utf-8", header_name="Subject").encode(
            linesep="\n", maxlinelen=78))


def no_posts_message(report: Mapping[str, Any]) -> dict[str, str]:
    """The lead of an email for a period without posts: that plainly, and when the last post
    was (the words of the report's empty page, ``_empty.html.j2``)."""
    from analytics.render import fmt_day, fmt_range

    period = report["period"]
    week = "week" if period["days"] == 7 else "period"
    first, latest = period["data_start"], period["data_end"]
    if first is None:
        detail = "We have no posts at all yet: once the platforms' exports are imported, the " \
                 "reports will show them."
    elif period["end"] < first:
        detail = f"Your data starts on {fmt_day(first)}, the day of the first post we have."
    elif period["start"] > latest:
        detail = (f"The last post was on {fmt_day(latest)}. If you did post since, the "
                  "platforms' exports for these days may not have reached us yet.")
    else:
        detail = f"Your data runs from {fmt_day(first)} to {fmt_day(latest)}."
    return {"kind": f"No posts this {week}",
            "headline": f"There were no posts this {week} "
                        f"({fmt_range(period['start'], period['end'])}).",
            "detail": detail}


def top_message(report: Mapping[str, Any]) -> dict[str, str] | None:
    """The one thing to read first: that there were no posts, if so; else the strongest
    recommendation, else the period's best post (not a note about what could not be
    judged), else the first note."""
    from analytics.metrics.labels import platform_name
    from analytics.render import fmt_number, fmt_percent, fmt_title, plural

    if not report["overview"]["total_posts"]:
        return no_posts_message(report)
    insights = report["insights"]
    if insights["recommendations"]:
        top = insights["recommendations"][0]
        return {"kind": "Top recommendation", "headline": top["claim"],
                "detail": top["evidence_text"]}
    if report["content"]:
        best = report["content"][0]
        week = "week" if report["period"]["days"] == 7 else "period"
        floor = fmt_number(report["overview"]["ranking_min_views"])
        return {"kind": f"Your best post this {week}",
                "headline": (f"“{fmt_title(best['title'], 100, html=False)}” on "
                             f"{platform_name(best['platform'])}"),
                "detail": f"{plural(best['views'], 'view')}, "
                          f"{plural(best['engagement'], 'engagement')}: an engagement rate of "
                          f"{fmt_percent(best['engagement_rate'])}, the best of the {week}'s "
                          f"posts with at least {floor} views."}
    if insights["notes"]:
        return {"kind": "What the data says", "headline": insights["notes"][0]["text"],
                "detail": ""}
    return None
