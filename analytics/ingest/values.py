"""Reading the values platform exports write: counts, dates without a year, local times, and
the dates in a file's name.

Every parser returns ``(value, problem)``: ``problem`` is ``None`` when the text was understood
(``value`` may then be ``None``: the export left the cell blank or wrote ``-``, ``N/A``…, which
means *missing*, never zero), or a short reason that ends up in the rejects file.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import duckdb

#: What exports write for "no value" (compared after stripping and lower-casing).
MISSING = frozenset({"", "-", "--", "—", "–", "n/a", "na", "none", "null", "undefined", "nan"})

_GROUPED = re.compile(r"[0-9]{1,3}(,[0-9]{3})+")
_SPACED = re.compile(r"[0-9]{1,3}( [0-9]{3})+")
_PLAIN = re.compile(r"[0-9]+(\.[0-9]+)?")
_SUFFIXED = re.compile(r"([0-9]+(?:\.[0-9]+)?)\s*([kmb])", re.IGNORECASE)
_SUFFIX = {"k": 1_000, "m": 1_000_000, "b": 1_000_000_000}
#: Spaces used as thousands separators (no-break and thin spaces included).
_SPACES = str.maketrans({"\u00a0": " ", "\u202f": " ", "\u2009": " "})


def is_missing(text: str | None) -> bool:
    """True when the cell says "no value" (blank, ``-``, ``--``, ``N/A``, ``undefined``…)."""
    return text is None or text.strip().lower() in MISSING


#: The largest count stored: DuckDB's BIGINT holds 19 digits, and no post has been seen by
#: 10^18 people. A larger count is a broken cell, and said to be too large.
MAX_COUNT = 10**18 - 1


def parse_count(text: str | None) -> tuple[int | None, str | None]:
    """A non-negative whole number as exports write it: the one number grammar, used by the
    platform adapters and by the canonical files' SQL (``count_value``/``count_problem``).

    ``1234``, ``1234.0`` (X writes counts as floats), ``1,234``, ``1 234``, ``+12`` and the
    abbreviated ``1.2K`` / ``3M`` (the value the platform shows, multiplied out) are read;
    a blank or a placeholder is missing (``None``, no problem); anything else is a problem,
    and so is a count above :data:`MAX_COUNT` ("too large", not "not a whole number").
    """
    if is_missing(text):
        return None, None
    raw = text.strip().translate(_SPACES)
    body = raw[1:] if raw.startswith("+") else raw
    if raw.startswith("-") and parse_count(raw[1:])[0] is not None:
        return None, f"is negative: '{raw}'"
    value: int | None = None
    if _GROUPED.fullmatch(body) or _SPACED.fullmatch(body):
        value = int(body.replace(",", "").replace(" ", ""))
    elif _PLAIN.fullmatch(body):
        whole, _, fraction = body.partition(".")
        if fraction.strip("0"):
            return None, f"is not a whole number: '{raw}'"
        value = int(whole)
    elif suffixed := _SUFFIXED.fullmatch(body):
        number, unit = suffixed[1], _SUFFIX[suffixed[2].lower()]
        whole, _, fraction = number.partition(".")
        # exact decimal arithmetic: a float would make 10000000000B an OverflowError
        value = (int(whole) * unit + int(fraction or "0") * unit // 10 ** len(fraction)
                 + (int(fraction or "0") * unit % 10 ** len(fraction) * 2 >= 10 ** len(fraction)))
    else:
        return None, f"is not a number: '{raw}'"
    if value > MAX_COUNT:
        return None, f"is too large for a count: '{raw}'"
    return value, None


def count_value(text: str | None) -> int | None:
    """:func:`parse_count`'s value alone (SQL's ``count_value``)."""
    return parse_count(text)[0]


def count_problem(text: str | None) -> str | None:
    """:func:`parse_count`'s problem alone (SQL's ``count_problem``)."""
    return parse_count(text)[1]


def register_sql(con: duckdb.DuckDBPyConnection) -> None:
    """Make the number grammar callable from SQL on ``con``: ``count_value_py(text)``,
    ``count_problem_py(text)`` and ``count_missing_py(text)``. The SQL macros
    (``ingest_macros.sql``) read plain digits themselves (the hot path of a large file) and
    hand every other cell to these, so canonical files and platform exports read ``1.2K``,
    ``1 234`` and ``N/A`` alike."""
    functions = {"count_value_py": (count_value, "BIGINT"),
                 "count_problem_py": (count_problem, "VARCHAR"),
                 "count_missing_py": (is_missing, "BOOLEAN")}
    registered = {r[0] for r in con.execute(
        "SELECT function_name FROM duckdb_functions() WHERE function_name LIKE 'count_%_py'"
    ).fetchall()}
    for name, (function, returns) in functions.items():
        if name not in registered:
            con.create_function(name, function, ["VARCHAR"], returns,
                                null_handling="special", side_effects=False)


def clean_text(text: str | None, *, unescape: bool = False) -> str:
    """Text as it should be stored: NFKC-normalised (so a caption in mathematical-bold letters,
    which Meta exports often hold, reads and matches as plain letters), entities decoded for
    exports that write ``&amp;``, and surrounding blanks removed."""
    if not text:
        return ""
    if unescape:
        text = html.unescape(text)
    return unicodedata.normalize("NFKC", text).strip()


# --- dates -----------------------------------------------------------------------------------

_MONTH_NAMES = {
    1: "january enero janeiro janvier januar janner gennaio januari",
    2: "february febrero fevereiro fevrier februar febbraio februari",
    3: "march marzo marco mars marz maart maret",
    4: "april abril avril aprile",
    5: "may mayo maio mai maggio mei",
    6: "june junio junho juin juni giugno",
    7: "july julio julho juillet juli luglio",
    8: "august agosto aout augustus agustus",
    9: "september septiembre setiembre setembro septembre settembre",
    10: "october octubre outubro octobre oktober ottobre",
    11: "november noviembre novembro novembre",
    12: "december diciembre dezembro decembre dezember dicembre desember",
}
_MONTHS = [(name, month) for month, names in _MONTH_NAMES.items() for name in names.split()]
_CJK_DAY = re.compile(r"(\d{1,2})\s*[月월]\s*(\d{1,2})\s*[日일]?")
_TIME_OF_DAY = re.compile(r"\b\d{1,2}:\d{2}(:\d{2})?\s*([ap]\.?m\.?)?", re.IGNORECASE)


def _fold(word: str) -> str:
    """Lower case without accents: ``Février`` → ``fevrier``."""
    decomposed = unicodedata.normalize("NFKD", word.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def month_number(word: str) -> int | None:
    """The month a (possibly abbreviated, possibly localised) month name stands for.

    A word of three letters or more matches when it begins exactly one month's names in
    English, Spanish, Portuguese, French, German, Italian, Dutch or Indonesian (``Sep``,
    ``sept.``, ``septiembre``, ``juil.``); ``jui`` (juin or juillet?) matches nothing.
    """
    key = _fold(word).rstrip(".")
    if len(key) < 3:
        return None
    months = {month for name, month in _MONTHS if name.startswith(key)}
    return months.pop() if len(months) == 1 else None


def parse_day_month(text: str) -> tuple[int | None, int, int] | None:
    """``(year or None, month, day)`` from a localised date such as ``April 12``,
    ``12 de abril``, ``12. April``, ``Apr 12, 2025`` or ``4月12日``; ``None`` if not a date."""
    text = _TIME_OF_DAY.sub(" ", text)  # "April 12, 10:30 AM": the day is what is kept
    cjk = _CJK_DAY.search(text)
    year_match = re.search(r"(?<!\d)(\d{4})(?!\d)", text)
    year = int(year_match[1]) if year_match else None
    if cjk:
        return year, int(cjk[1]), int(cjk[2])
    words = re.findall(r"[^\W\d_]+\.?", text)
    numbers = [int(n) for n in re.findall(r"\d+", text) if len(n) <= 2]
    months = {m for m in (month_number(w) for w in words) if m}
    if len(months) != 1 or len(numbers) != 1:
        return None
    return year, months.pop(), numbers[0]


@dataclass
class YearGuess:
    """The year of dates written without one (TikTok, Meta follower history).

    With ``period_end`` (from the file name) a date is the latest one on or before it. With
    ``year`` (``--year``) the first date is in that year, and a file that crosses New Year moves
    on to the next (or previous) year where its months jump back by more than half a year.
    """

    year: int | None = None
    period_end: date | None = None
    _current: int | None = field(default=None, init=False)
    _last_month: int | None = field(default=None, init=False)

    @property
    def known(self) -> bool:
        return self.year is not None or self.period_end is not None

    def date(self, month: int, day: int) -> date:
        """The full date; raises ValueError for a day that does not exist (``February 30``)."""
        if self.period_end is not None:
            for year in range(self.period_end.year, self.period_end.year - 8, -1):
                try:
                    found = date(year, month, day)
                except ValueError:
                    continue  # 29 February: go back to a leap year
                if found <= self.period_end:
                    return found
            return date(self.period_end.year, month, day)  # raises the ValueError
        if self.year is None:
            raise ValueError("no year to give the date")
        if self._current is None:
            self._current = self.year
        elif self._last_month is not None and month - self._last_month > 6:
            self._current -= 1
        elif self._last_month is not None and self._last_month - month > 6:
            self._current += 1
        self._last_month = month
        return date(self._current, month, day)


@dataclass(frozen=True)
class DateStyle:
    """How an export writes a date or time: ``strptime`` formats tried in order, and what the
    text means.

    ``kind`` is ``"instant"`` (carries its UTC offset), ``"local"`` (a wall-clock time in the
    account's timezone), ``"day"`` (a date, no hour) or ``"day_month"`` (a localised day and
    month, usually without a year, tried after ``formats``).
    """

    kind: str
    formats: tuple[str, ...] = ()

    def parse(self, text: str, tz: ZoneInfo | None = None,
              years: YearGuess | None = None) -> tuple[str | None, str | None]:
        """The canonical text (ISO 8601 with offset, or an ISO date), or a problem."""
        text = " ".join(text.split())
        for fmt in self.formats:
            try:
                parsed = datetime.strptime(text, fmt)
            except ValueError:
                continue
            if fmt.startswith("%a") and parsed.strftime("%a").lower() != text[:3].lower():
                return None, f"'{text}' names the wrong weekday for that date"
            if parsed.year < 2000 or parsed.year > 2100:
                return None, f"'{text}' is not a plausible date (year {parsed.year})"
            if self.kind in ("day", "day_month"):
                return parsed.date().isoformat(), None
            if self.kind == "local":
                if tz is None:
                    raise LookupError("a local time needs a timezone")
                parsed = parsed.replace(tzinfo=tz)
            elif parsed.tzinfo is None:
                parsed = parsed.replace(tzinfo=UTC)
            return parsed.astimezone(UTC).isoformat(), None
        if self.kind == "day_month":
            return self._day_month(text, years)
        return None, f"'{text}' is not a date like {self.example}"

    def _day_month(self, text: str, years: YearGuess | None) -> tuple[str | None, str | None]:
        found = parse_day_month(text)
        if found is None:
            return None, f"'{text}' is not a day and month like 'April 12'"
        year, month, day = found
        if year is None and (years is None or not years.known):
            return None, f"'{text}' has no year (give --year)"
        try:
            if year is not None:
                return date(year, month, day).isoformat(), None
            return years.date(month, day).isoformat(), None
        except ValueError:
            return None, f"'{text}' is not a date that exists"

    @property
    def example(self) -> str:
        sample = datetime(2025, 9, 30, 17, 5, tzinfo=UTC)
        return " or ".join(f"'{sample.strftime(f)}'" for f in self.formats[:2])


def has_year(text: str) -> bool:
    """Whether a day-and-month text also carries its year."""
    return bool(re.search(r"(?<!\d)\d{4}(?!\d)", text))


# --- dates in file names -----------------------------------------------------------------------

_MONTH_WORD = r"(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*"
_NAME_DATES = (
    # 20211001, 2021-10-01, 2021_10_01
    (re.compile(r"(?<!\d)(20\d{2})([-_.]?)(\d{2})\2(\d{2})(?!\d)"), ("y", "m", "d")),
    # Sep-01-2025 (Meta Business Suite)
    (re.compile(_MONTH_WORD + r"[-_ ]?(\d{1,2})[-_ ,]+(20\d{2})(?!\d)", re.I), ("b", "d", "y")),
    # 01-Sep-2025
    (re.compile(r"(?<!\d)(\d{1,2})[-_ ]?" + _MONTH_WORD + r"[-_ ]?(20\d{2})(?!\d)", re.I),
     ("d", "b", "y")),
)
#: A 13-digit epoch in milliseconds (LinkedIn names its exports with the export time).
_EPOCH_MS = re.compile(r"(?<!\d)(1[4-9]\d{11})(?!\d)")


def dates_in_name(name: str) -> list[date]:
    """The calendar dates written in a file or folder name, in the order they appear."""
    found: list[tuple[int, date]] = []
    for pattern, order in _NAME_DATES:
        for match in pattern.finditer(name):
            groups = [g for g in match.groups() if g not in ("", "-", "_", ".")]
            parts = dict(zip(order, groups, strict=False))
            month = int(parts["m"]) if "m" in parts else month_number(parts["b"])
            try:
                found.append((match.start(), date(int(parts["y"]), month or 0, int(parts["d"]))))
            except (ValueError, TypeError):
                continue
    for match in _EPOCH_MS.finditer(name):
        moment = datetime.fromtimestamp(int(match[1]) / 1000, UTC)
        found.append((match.start(), moment.date()))
    return [d for _, d in sorted(found)]


def export_period(*names: str) -> tuple[date, date] | None:
    """``(first, last)`` day of the export period written in the first of ``names`` (file name,
    then folder names) that holds a date; one date gives a one-day period."""
    for name in names:
        found = dates_in_name(name)
        if found:
            return min(found), max(found)
    return None


def observation_day(period: tuple[date, date] | None, today: date) -> date | None:
    """The day an export's lifetime counters were taken, from its period: the period's last
    day, or today when that is still to come."""
    if period is None:
        return None
    return min(period[1], today)
