"""Sentiment of comments, scored offline by the lexicon a package ships: VADER (English).

A comment is scored only when it is English: when ``langid`` says so, or when it is written
in Latin letters, no other language is detected with confidence, and VADER knows at least one
of its words. Anything else is counted as *unscored* with the language detected (``und`` when
it has no words at all), never guessed. VADER's compound score ≥ 0.05 is positive, ≤ −0.05
negative, and neutral between (the thresholds its authors recommend).
"""

from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass

#: VADER's recommended thresholds on the compound score.
POSITIVE_FROM = 0.05
NEGATIVE_TO = -0.05
#: langid's normalised probability above which another language is taken at its word.
CONFIDENT = 0.9
#: Longer comments are scored on their first characters (a pasted essay costs no more).
MAX_CHARS = 2000


@dataclass(frozen=True)
class Score:
    language: str
    sentiment: float | None  # VADER compound, None when unscored
    label: str  # positive | negative | neutral | unscored


@functools.cache
def _vader():
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


@functools.cache
def _identifier():
    from langid.langid import LanguageIdentifier, model

    return LanguageIdentifier.from_modelstring(model, norm_probs=True)


def _latin(text: str) -> bool:
    letters = [ch for ch in text if unicodedata.category(ch)[0] == "L"]
    latin = sum(1 for ch in letters if "LATIN" in unicodedata.name(ch, ""))
    return bool(letters) and latin >= 0.8 * len(letters)


def score(text: str | None) -> Score:
    """The sentiment of one comment (see the module's rules)."""
    text = unicodedata.normalize("NFKC", (text or "").strip())[:MAX_CHARS]
    if not any(unicodedata.category(ch)[0] == "L" for ch in text):
        return Score("und", None, "unscored")
    language, probability = _identifier().classify(text)
    vader = _vader()
    words = {w.strip(".,!?;:\"'()").lower() for w in text.split()}
    known = any(w in vader.lexicon for w in words)
    english = language == "en" or (
        _latin(text) and known and probability < CONFIDENT)
    if not english:
        return Score(language, None, "unscored")
    compound = vader.polarity_scores(text)["compound"]
    label = ("positive" if compound >= POSITIVE_FROM
             else "negative" if compound <= NEGATIVE_TO else "neutral")
    return Score("en", compound, label)
