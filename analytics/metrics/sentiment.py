"""Sentiment and who engages: the period's comments, their sentiment (scored at ingest by
``analytics/sentiment.py``), the most discussed posts and the most active commenters.

Shares are of the *scored* comments; comments in languages the lexicon cannot score are
counted apart, by language, and never folded into positive or negative.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, ClassVar

from analytics.records import Record

#: How many posts and commenters the report lists.
TOP = 5


def _share(part: int, whole: int) -> float | None:
    return part * 100.0 / whole if whole else None


@dataclass(frozen=True)
class PostComments(Record):
    LABELS: ClassVar[dict[str, str]] = {"title": "Post", "platform": "Platform",
                                        "comments": "Comments", "positive_share": "Positive",
                                        "negative_share": "Negative"}

    platform: str
    content_id: str
    title: str | None
    comments: int
    scored: int
    positive_share: float | None
    negative_share: float | None


@dataclass(frozen=True)
class Commenter(Record):
    author: str
    comments: int
    posts: int
    positive_share: float | None


@dataclass(frozen=True)
class SentimentDoc(Record):
    """``report.json`` ``sentiment`` (null when the period has no comments)."""

    comments: int
    scored: int
    unscored: int
    positive: int
    negative: int
    neutral: int
    #: percent of the scored comments
    positive_share: float | None
    negative_share: float | None
    #: unscored comments by detected language (``und``: no words, e.g. only emoji)
    unscored_languages: dict[str, int] = field(default_factory=dict)
    most_discussed: list[PostComments] = field(default_factory=list)
    most_active: list[Commenter] = field(default_factory=list)


def summarise(rows: list[dict[str, Any]]) -> SentimentDoc | None:
    """``sentiment_comments`` rows of one business → its sentiment section."""
    if not rows:
        return None
    labels = Counter(r["label"] for r in rows)
    scored = len(rows) - labels["unscored"]
    posts: dict[tuple[str, str], list[dict[str, Any]]] = {}
    people: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        posts.setdefault((r["platform"], r["content_id"]), []).append(r)
        if r["author"]:
            people.setdefault(r["author"], []).append(r)

    def post_row(key: tuple[str, str], group: list[dict[str, Any]]) -> PostComments:
        counts = Counter(r["label"] for r in group)
        rated = len(group) - counts["unscored"]
        return PostComments(key[0], key[1], group[0]["title"], len(group), rated,
                            _share(counts["positive"], rated), _share(counts["negative"], rated))

    def person(author: str, group: list[dict[str, Any]]) -> Commenter:
        counts = Counter(r["label"] for r in group)
        rated = len(group) - counts["unscored"]
        return Commenter(author, len(group), len({(r["platform"], r["content_id"])
                                                   for r in group}),
                         _share(counts["positive"], rated))

    discussed = sorted(posts.items(), key=lambda kv: (-len(kv[1]), kv[0]))[:TOP]
    active = sorted(people.items(), key=lambda kv: (-len(kv[1]), kv[0]))[:TOP]
    return SentimentDoc(
        comments=len(rows), scored=scored, unscored=labels["unscored"],
        positive=labels["positive"], negative=labels["negative"], neutral=labels["neutral"],
        positive_share=_share(labels["positive"], scored),
        negative_share=_share(labels["negative"], scored),
        unscored_languages=dict(sorted(Counter(
            r["language"] or "und" for r in rows if r["label"] == "unscored").items())),
        most_discussed=[post_row(k, g) for k, g in discussed],
        most_active=[person(a, g) for a, g in active],
    )
