"""The file formats ``analytics ingest`` understands, and how a file's header picks one.

A format is recognised by a *required subset* of its header columns (matched after
normalising case, spaces and punctuation), never by the file name alone: exports gain and lose
columns from one month to the next. Platform adapters (X, Meta, LinkedIn, TikTok, YouTube) add
entries to :data:`FORMATS`; they all end in the canonical posts or businesses shape, and from
there share one validation, rejects and upsert path (``analytics/ingest/load.py``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from analytics import AnalyticsError


def normalise_column(name: str) -> str:
    """``" Published At\ufeff"`` → ``"published_at"``: the key headers are matched on."""
    text = unicodedata.normalize("NFKC", name).replace("\ufeff", "").strip().lower()
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")


@dataclass(frozen=True)
class Format:
    """A file layout: the columns that identify it, and the canonical table it feeds."""

    name: str
    kind: str  # "posts" or "businesses"
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    description: str = ""

    @property
    def columns(self) -> tuple[str, ...]:
        return self.required + self.optional


CANONICAL_POSTS = Format(
    name="canonical-posts",
    kind="posts",
    required=(
        "business_id", "platform", "content_id", "content_type", "published_at",
        "views", "likes", "shares", "comments", "clicks",
    ),
    optional=("title", "permalink", "observed_on", "reach"),
    description="our own posts file (DESIGN.md): one row per post observation",
)

CANONICAL_BUSINESSES = Format(
    name="canonical-businesses",
    kind="businesses",
    required=("business_id", "name"),
    optional=("timezone", "recipients"),
    description="our own businesses file: business_id, name, timezone, recipients (;-separated)",
)

#: Every known format. More specific formats (more required columns) win over general ones.
FORMATS: list[Format] = [CANONICAL_POSTS, CANONICAL_BUSINESSES]


class UnknownFormat(AnalyticsError):
    """The header matches no known format."""


def detect(header: list[str], source: str) -> tuple[Format, dict[str, str]]:
    """The format of a file with this header, and the map from its columns to the header's.

    Raises :class:`UnknownFormat` naming the closest format and the columns it lacks.
    """
    present: dict[str, str] = {}
    for raw in header:
        present.setdefault(normalise_column(raw), raw)
    matches = [f for f in FORMATS if all(c in present for c in f.required)]
    if matches:
        best = max(matches, key=lambda f: len(f.required))
        return best, {c: present[c] for c in best.columns if c in present}
    closest = max(FORMATS, key=lambda f: sum(c in present for c in f.required) / len(f.required))
    missing = [c for c in closest.required if c not in present]
    shown = ", ".join(header[:8]) + (", …" if len(header) > 8 else "")
    raise UnknownFormat(
        f"{source}: not a format analytics knows (columns: {shown}). The closest is "
        f"{closest.name} ({closest.description}), which also needs: {', '.join(missing)}"
    )
