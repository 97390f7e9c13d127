"""What a file format is, and how a file's header picks one.

A format is recognised by a *required subset* of its header columns (matched after
normalising case, spaces and punctuation), never by the file name alone: exports gain and lose
columns from one month to the next. A required entry may list alternatives (``("likes",
"favorites")``: either will do). The formats themselves live with their adapters (one module
per platform) and are listed in :mod:`analytics.ingest.registry`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from analytics import AnalyticsError

#: A column, or alternative names for it (the first one present is used).
Column = str | tuple[str, ...]


def normalise_column(name: str) -> str:
    """``" Published At\ufeff"`` → ``"published_at"``: the key headers are matched on."""
    text = unicodedata.normalize("NFKC", name).replace("\ufeff", "").strip().lower()
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")


def _names(column: Column) -> tuple[str, ...]:
    return (column,) if isinstance(column, str) else column


@dataclass(frozen=True, kw_only=True)
class Format:
    """A file layout: the columns that identify it, and what it feeds.

    ``kind`` is ``"posts"`` (one row per post observation), ``"businesses"`` or ``"daily"``
    (account-level figures, one row per day). ``platforms`` lists the platforms the layout can
    come from, the default first; empty for our canonical files, whose rows name their platform.
    """

    name: str
    kind: str
    required: tuple[Column, ...]
    optional: tuple[str, ...] = ()
    platforms: tuple[str, ...] = ()
    #: a file holding any of these columns is not this format (e.g. a daily breakdown of posts)
    forbidden: tuple[str, ...] = ()
    description: str = ""

    @property
    def platform(self) -> str | None:
        return self.platforms[0] if self.platforms else None

    @property
    def columns(self) -> tuple[str, ...]:
        names = [n for c in self.required for n in _names(c)] + list(self.optional)
        return tuple(dict.fromkeys(names))

    def missing(self, present: Iterable[str]) -> list[str]:
        """The required columns (as ``a or b`` for alternatives) absent from ``present``."""
        present = set(present)
        return [" or ".join(_names(c)) for c in self.required
                if not any(n in present for n in _names(c))]

    def matches(self, present: Iterable[str]) -> bool:
        present = set(present)
        return not self.missing(present) and not any(c in present for c in self.forbidden)


class UnknownFormat(AnalyticsError):
    """The header matches no known format."""


def header_keys(header: Sequence[str]) -> dict[str, int]:
    """Normalised column name → position of its first occurrence in ``header``."""
    keys: dict[str, int] = {}
    for index, raw in enumerate(header):
        keys.setdefault(normalise_column(raw), index)
    return keys


def match(header: Sequence[str], formats: Sequence[Format]) -> Format | None:
    """The format ``header`` belongs to; the most specific (most required columns) wins."""
    present = header_keys(header)
    matches = [f for f in formats if f.matches(present)]
    return max(matches, key=lambda f: len(f.required)) if matches else None


def refusal(headers: Sequence[Sequence[str]], source: str,
            formats: Sequence[Format]) -> UnknownFormat:
    """The error for a file none of whose candidate header rows matches a format: it names the
    closest format and the required columns the file lacks."""

    def score(header: Sequence[str], fmt: Format) -> float:
        present = header_keys(header)
        return 1 - len(fmt.missing(present)) / len(fmt.required)

    header, closest = max(
        ((h, f) for h in (headers or [[]]) for f in formats), key=lambda hf: score(*hf)
    )
    missing = closest.missing(header_keys(header))
    shown = ", ".join(header[:8]) + (", …" if len(header) > 8 else "")
    fallback = next((f for f in formats if f.kind == "posts" and not f.platforms), None)
    other = (f"; any other source can be written as our {fallback.name} file "
             f"({', '.join(fallback.columns)})" if fallback and fallback is not closest else "")
    return UnknownFormat(
        f"{source}: not a format analytics knows (columns: {shown or 'none'}). The closest is "
        f"{closest.name} ({closest.description}), which also needs: {', '.join(missing)}{other}"
    )


def detect(header: list[str], source: str,
           formats: Sequence[Format] | None = None) -> tuple[Format, dict[str, str]]:
    """The format of a file with this header, and the map from its columns to the header's.

    Raises :class:`UnknownFormat` naming the closest format and the columns it lacks.
    """
    if formats is None:
        from analytics.ingest.registry import FORMATS as formats
    found = match(header, formats)
    if found is None:
        raise refusal([header], source, formats)
    keys = header_keys(header)
    return found, {c: header[keys[c]] for c in found.columns if c in keys}
