"""Hashtags, mentions and A/B tags found in a post's title or caption, stored at ingest.

The rules (tests/test_hashtags.py holds a table of tricky captions):

* a tag starts with ``#`` (or the full-width ``＃``) at the start of the text or after a
  character that is not part of a word, so ``C#``, ``abc#def`` and ``&#39;`` are not tags;
* it runs over letters, digits, combining marks and ``_`` in any script (``#日本酒``,
  ``#café``, ``#नमस्ते``), so trailing punctuation falls off by itself;
* it needs at least one letter: ``#1`` and ``#2026`` are numbers, and a "tag" made only of
  emoji is no tag at all;
* NFKC then case-folding makes ``#Launch``, ``#LAUNCH`` and ``#ｌａｕｎｃｈ`` one tag;
* URLs are removed first, so ``https://example.com/page#section`` yields nothing;
* ``#ab-<experiment>-<variant>`` declares a post's A/B variant (kind ``ab``; the tag is
  ``<experiment>-<variant>``, the variant its last part);
* a mention is ``@`` followed by letters, digits, ``_`` or inner dots (``@kiku.ramen``),
  not preceded by a word character (so e-mail addresses are not mentions).

A post keeps at most :data:`MAX_TAGS_PER_POST` distinct tags of each kind (a caption of 500
hashtags is spam, and the first ones are the ones its author meant); tags longer than
:data:`MAX_TAG_LENGTH` are cut there.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

import duckdb
import pyarrow as pa

from analytics.warehouse import sql

#: Beyond this many distinct tags of one kind, a post's further tags are not stored.
MAX_TAGS_PER_POST = 100
#: Longer tags are cut (platforms allow about 100 characters).
MAX_TAG_LENGTH = 100
#: The marks that may start a tag in a title; a title with none of them is skipped quickly.
MARKS = ("#", "＃", "@", "＠")

_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_JOINERS = {"\u200c", "\u200d"}  # zero-width (non-)joiners live inside Indic and Persian words


def _word_char(ch: str) -> bool:
    return ch == "_" or ch in _JOINERS or unicodedata.category(ch)[0] in "LNM"


def _has_letter(text: str) -> bool:
    return any(unicodedata.category(ch)[0] == "L" for ch in text)


@dataclass(frozen=True)
class Tags:
    """What one caption declares: hashtags, mentions, and A/B variants (``name-variant``)."""

    hashtags: list[str] = field(default_factory=list)
    mentions: list[str] = field(default_factory=list)
    ab: list[str] = field(default_factory=list)

    def rows(self) -> list[tuple[str, str]]:
        """``(kind, tag)`` pairs, as the ``content_tags`` table stores them."""
        return ([("hashtag", t) for t in self.hashtags] + [("mention", m) for m in self.mentions]
                + [("ab", a) for a in self.ab])


def normalise(tag: str) -> str:
    """The stored form of a tag: NFKC, case-folded, cut at :data:`MAX_TAG_LENGTH`."""
    return unicodedata.normalize("NFKC", tag).casefold()[:MAX_TAG_LENGTH]


def _scan(text: str, start: int, extra: str = "") -> int:
    """The end of the run of word characters (or ``extra`` characters) from ``start``."""
    end = start
    while end < len(text) and (_word_char(text[end]) or text[end] in extra):
        end += 1
    return end


def _add(found: list[str], seen: set[str], value: str) -> None:
    if value not in seen and len(found) < MAX_TAGS_PER_POST:
        seen.add(value)
        found.append(value)


def extract(text: str | None) -> Tags:
    """The hashtags, mentions and A/B tags of a caption (see the module's rules), in order of
    first appearance, each once."""
    tags = Tags()
    if not text or not any(mark in text for mark in MARKS):
        return tags
    text = _URL.sub(" ", unicodedata.normalize("NFKC", text))  # NFKC: ＃ → #, ＠ → @
    seen: dict[str, set[str]] = {"hashtag": set(), "mention": set(), "ab": set()}
    index = 0
    while index < len(text):
        ch = text[index]
        if ch not in "#@" or (index and (_word_char(text[index - 1])
                                         or text[index - 1] in "&#@/")):
            index += 1
            continue
        if ch == "#":
            end = _scan(text, index + 1, "-")
            body = text[index + 1:end]
            parts = [p for p in body.split("-")]
            if (len(parts) >= 3 and parts[0].casefold() == "ab" and all(parts)
                    and _has_letter(parts[1])):
                _add(tags.ab, seen["ab"], normalise("-".join(parts[1:])))
            else:
                end = _scan(text, index + 1)
                word = text[index + 1:end].rstrip("_")
                if word and _has_letter(word):
                    _add(tags.hashtags, seen["hashtag"], normalise(word))
        else:
            end = _scan(text, index + 1, ".")
            handle = text[index + 1:end].rstrip("._")
            if handle and _has_letter(handle):
                _add(tags.mentions, seen["mention"], normalise(handle))
        index = max(end, index + 1)
    return tags


def split_ab(tag: str) -> tuple[str, str]:
    """``("<experiment>", "<variant>")`` of a stored A/B tag ``<experiment>-<variant>``."""
    name, _, variant = tag.rpartition("-")
    return name, variant


def store(con: duckdb.DuckDBPyConnection, posts: list[tuple[str, str, str | None]]) -> int:
    """Replace the stored tags of ``posts`` (platform, content_id, title) with those their titles
    hold now; returns how many tag rows were written. Runs inside the caller's transaction."""
    if not posts:
        return 0
    new: dict[str, list[str]] = {"platform": [], "content_id": [], "kind": [], "tag": []}
    for platform, content_id, title in posts:
        for kind, tag in extract(title).rows():
            new["platform"].append(platform)
            new["content_id"].append(content_id)
            new["kind"].append(kind)
            new["tag"].append(tag)
    scope = pa.table({"platform": pa.array([p[0] for p in posts], pa.string()),
                      "content_id": pa.array([p[1] for p in posts], pa.string())})
    con.register("_tag_scope", scope)
    con.register("_new_tags", pa.table({k: pa.array(v, pa.string()) for k, v in new.items()}))
    try:
        sql.execute(con, "tags_replace")
    finally:
        con.unregister("_tag_scope")
        con.unregister("_new_tags")
    return len(new["tag"])
