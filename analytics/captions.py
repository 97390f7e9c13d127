"""What a caption says: its hashtags, mentions and A/B tags, and its features.

One home for the rules of reading a post's title or caption: ingest stores the tags it finds
(``ingest/hashtags.py``), the metrics test the features (``metrics/captions.py``). Tags
(tests/test_hashtags.py holds a table of tricky captions):

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


# --- caption features ---------------------------------------------------------------------------

#: Length bands in characters (upper bounds, inclusive) of the caption without its hashtags,
#: mentions and links; a caption longer is "long".
LENGTH_BANDS = (("short", 70), ("medium", 200))
#: Phrases that ask the reader to act (case-folded, matched as whole words).
CALLS_TO_ACTION = (
    "link in bio", "shop now", "buy now", "order now", "book now", "sign up", "subscribe",
    "learn more", "read more", "find out", "click", "tap", "swipe up", "dm us", "message us",
    "comment below", "tell us", "let us know", "tag a friend", "share this", "visit",
    "register", "join us", "get yours", "download", "follow us", "save this",
)
_CTA = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(p) for p in CALLS_TO_ACTION) + r")(?!\w)")
#: The names and plain-words labels of the features, in the order reports show them.
FEATURES = {
    "length_short": f"short captions (up to {LENGTH_BANDS[0][1]} characters)",
    "length_medium": f"medium captions ({LENGTH_BANDS[0][1] + 1}–{LENGTH_BANDS[1][1]} characters)",
    "length_long": f"long captions (over {LENGTH_BANDS[1][1]} characters)",
    "question": "captions that ask a question",
    "emoji": "captions with emoji",
    "link": "captions with a link",
    "mention": "captions that mention someone",
    "call_to_action": "captions with a call to action",
}


_TAG_LIKE = re.compile(r"(?<!\w)[#@]\S+")


#: Emoji and pictographs (the blocks emoji live in; a per-character loop costs too much over
#: half a million captions).
_EMOJI = re.compile("[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF]")


def features(text: str | None) -> dict[str, bool] | None:
    """Which :data:`FEATURES` a caption has; ``None`` for a post without one (nothing can be
    said about a caption that is not there)."""
    if text is None or not text.strip():
        return None
    text = unicodedata.normalize("NFKC", text.strip())
    # the length of what is written: hashtags, mentions and links are features of their own
    length = len(" ".join(_TAG_LIKE.sub(" ", _URL.sub(" ", text)).split()))
    band = next((name for name, upper in LENGTH_BANDS if length <= upper), "long")
    without_urls = _URL.sub(" ", text)
    return {
        "length_short": band == "short",
        "length_medium": band == "medium",
        "length_long": band == "long",
        "question": "?" in without_urls,
        "emoji": _EMOJI.search(text) is not None,
        "link": _URL.search(text) is not None,
        "mention": "@" in text and bool(extract(text).mentions),
        "call_to_action": _CTA.search(without_urls.casefold()) is not None,
    }
