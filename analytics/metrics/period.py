"""Reporting periods: whole days ``[start, end]`` in the business's own timezone.

Every command that works on a period takes the same options (``--period 2026-W47`` or
``--period 2026-11``, ``--start D --end D``, ``--days N``, plus ``--as-of D``); they all end up
here, in :func:`resolve_period`.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from analytics import AnalyticsError, config

_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
_RANGE_LABEL = re.compile(r"^(\d{4}-\d{2}-\d{2})_(\d{4}-\d{2}-\d{2})$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-Q(\d)$")

#: The kinds of period a history runs by (a business's ``cadence`` picks week or month).
KINDS = ("week", "month", "quarter", "days")
#: A business's cadence → the kind of period its reports and history run by.
CADENCES = {"weekly": "week", "monthly": "month"}


@dataclass(frozen=True)
class OptionNames:
    """What the period parameters are called where the user gave them, for the messages of
    :func:`resolve_period`: the command line's options, or the API's query parameters (an API
    client is told about ``as_of``, never ``--as-of``)."""

    period: str
    start: str
    end: str
    days: str
    as_of: str


CLI_OPTIONS = OptionNames("--period", "--start", "--end", "--days", "--as-of")
QUERY_PARAMETERS = OptionNames("period", "start", "end", "days", "as_of")
#: The library's keyword arguments (``explore.load_report(..., as_of=...)``) share those names.
KEYWORDS = QUERY_PARAMETERS


@dataclass(frozen=True)
class Period:
    """An inclusive range of whole local days, and the label used for its output folder."""

    start: date
    end: date
    label: str

    def __post_init__(self) -> None:
        for day in (self.start, self.end):
            _check_year(day, "period")
        if self.end < self.start:
            raise AnalyticsError(f"period end {self.end} is before its start {self.start}")
        if self.days > config.MAX_PERIOD_DAYS:
            raise AnalyticsError(
                f"period {self.start}..{self.end} spans {self.days} days; "
                f"the longest supported is {config.MAX_PERIOD_DAYS}"
            )

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def is_complete(self, as_of: date) -> bool:
        """The one rule for "complete": the period's last day is before ``as_of``. Counters as
        of a day are taken during that day, so on its last day a period is still under way."""
        return self.end < as_of

    def previous(self) -> Period:
        """The equal-length period just before this one (growth rates compare against it)."""
        length = timedelta(days=self.days)
        start, end = self.start - length, self.end - length
        return Period(start, end, _range_label(start, end))

    @property
    def kind(self) -> str:
        """``week``, ``month`` or ``quarter`` for a calendar period, else ``days`` (a range)."""
        for kind, pattern in (("week", _WEEK), ("month", _MONTH), ("quarter", _QUARTER)):
            if pattern.match(self.label):
                return kind
        return "days"

    def preceding(self) -> Period:
        """The period of the same kind just before: the ISO week, calendar month or quarter
        before, or (for a range) the equal-length range before."""
        kind = self.kind
        if kind == "week":
            year, week, _ = (self.start - timedelta(days=7)).isocalendar()
            return Period.iso_week(year, week)
        if kind == "month":
            last = self.start - timedelta(days=1)
            return Period.month(last.year, last.month)
        if kind == "quarter":
            last = self.start - timedelta(days=1)
            return Period.quarter(last.year, (last.month - 1) // 3 + 1)
        return self.previous()

    def series(self, count: int) -> list[Period]:
        """The ``count`` periods of this kind ending with this one, oldest first (fewer when
        they would reach before ``config.YEARS``)."""
        periods = [self]
        while len(periods) < count:
            try:
                periods.append(periods[-1].preceding())
            except AnalyticsError:  # before the year 2000: history simply starts later
                break
        return periods[::-1]

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        _check_year(date(year, 1, 1), f"{year}-{month:02d}: the year of")
        if not 1 <= month <= 12:
            raise AnalyticsError(f"'{year}-{month:02d}': month must be 01..12")
        last = calendar.monthrange(year, month)[1]
        return cls(date(year, month, 1), date(year, month, last), f"{year}-{month:02d}")

    @classmethod
    def quarter(cls, year: int, quarter: int) -> Period:
        _check_year(date(year, 1, 1), f"{year}-Q{quarter}: the year of")
        if not 1 <= quarter <= 4:
            raise AnalyticsError(f"'{year}-Q{quarter}': a quarter is Q1..Q4")
        first = 3 * quarter - 2
        last = calendar.monthrange(year, first + 2)[1]
        return cls(date(year, first, 1), date(year, first + 2, last), f"{year}-Q{quarter}")

    @classmethod
    def last_complete(cls, kind: str, as_of: date) -> Period:
        """The latest period of ``kind`` (``week``, ``month`` or ``quarter``) that ended
        before ``as_of`` (so ``is_complete(as_of)``): the one before the period ``as_of``
        falls in, since that one is still under way on ``as_of``, even on its last day."""
        if kind == "week":
            return cls.last_complete_week(as_of)
        if kind == "month":
            current = cls.month(as_of.year, as_of.month)
        elif kind == "quarter":
            current = cls.quarter(as_of.year, (as_of.month - 1) // 3 + 1)
        else:
            raise ValueError(f"no last complete period of kind {kind!r}")
        return current.preceding()

    @classmethod
    def from_dates(cls, start: date, end: date) -> Period:
        return cls(start, end, _range_label(start, end))

    @classmethod
    def iso_week(cls, year: int, week: int) -> Period:
        _check_year(date(year, 1, 1), f"{year}-W{week:02d}: the year of")
        try:
            start = date.fromisocalendar(year, week, 1)
        except ValueError:
            raise AnalyticsError(f"{year}-W{week:02d} is not an ISO week") from None
        return cls(start, start + timedelta(days=6), f"{year}-W{week:02d}")

    @classmethod
    def last_complete_week(cls, as_of: date) -> Period:
        """The latest Monday–Sunday week that ended before ``as_of``: counters as of a day are
        taken during that day, so a week is complete only once its Sunday is past."""
        sunday = as_of - timedelta(days=as_of.isoweekday())  # so that is_complete(as_of)
        year, week, _ = sunday.isocalendar()
        return cls.iso_week(year, week)

    @classmethod
    def parse(cls, text: str) -> Period:
        """``2026-W47`` (ISO week), ``2026-11`` (calendar month), ``2026-Q4`` (quarter) or
        ``2026-11-01..2026-11-30``."""
        text = text.strip()
        if match := _WEEK.match(text):
            return cls.iso_week(int(match[1]), int(match[2]))
        if match := _MONTH.match(text):
            return cls.month(int(match[1]), int(match[2]))
        if match := _QUARTER.match(text):
            return cls.quarter(int(match[1]), int(match[2]))
        if ".." in text:
            first, _, last = text.partition("..")
            return cls.from_dates(parse_date(first, "period start"), parse_date(last, "period end"))
        if match := _RANGE_LABEL.match(text):  # a range's folder label, e.g. from reports/
            return cls.from_dates(parse_date(match[1], "period start"),
                                  parse_date(match[2], "period end"))
        raise AnalyticsError(
            f"period {text!r} not understood; use an ISO week like 2026-W47, a month like "
            "2026-11, a quarter like 2026-Q4, or a range like 2026-11-01..2026-11-30"
        )


def local_today(timezone: str, now: datetime) -> date:
    """The day it is at ``now`` (an aware datetime) in ``timezone``: "today", "the last complete
    week" and "a week still under way" are judged in the business's timezone, not the
    server's (at 07:00 UTC on a Monday it is still Sunday in Los Angeles)."""
    return now.astimezone(ZoneInfo(timezone)).date()


def by_local_day(zones: dict[str, str], now: datetime) -> dict[date, list[str]]:
    """Business ids grouped by the day it is at ``now`` in each one's timezone (``zones``:
    id → IANA timezone), earliest day first: at most two or three groups at any moment, so a
    batch still renders its businesses from a few snapshots."""
    groups: dict[date, list[str]] = {}
    for business_id, zone in sorted(zones.items()):
        groups.setdefault(local_today(zone, now), []).append(business_id)
    return dict(sorted(groups.items()))


def as_period(period: Period | str) -> Period:
    """A Period, or the text of one (``2026-W47``, ``2026-11``, a range)."""
    return period if isinstance(period, Period) else Period.parse(period)


def _range_label(start: date, end: date) -> str:
    return f"{start.isoformat()}_{end.isoformat()}"


def _check_year(day: date, what: str) -> date:
    low, high = config.YEARS
    if not low <= day.year <= high:
        raise AnalyticsError(f"{what} {day.isoformat()} is outside {low}–{high}; check the year")
    return day


def parse_date(text: str | date, what: str = "date") -> date:
    """An ISO date (``2026-11-22``) within ``config.YEARS``; anything else is a clear error
    naming ``what``."""
    if isinstance(text, date):
        return _check_year(text, what)
    try:
        day = date.fromisoformat(str(text).strip())
    except ValueError:
        raise AnalyticsError(f"{what} {text!r} is not a date; write it as YYYY-MM-DD") from None
    return _check_year(day, what)


def resolve_period(
    period: str | None = None,
    start: str | date | None = None,
    end: str | date | None = None,
    days: int | None = None,
    as_of: str | date | None = None,
    kind: str = "week",
    names: OptionNames = CLI_OPTIONS,
) -> tuple[Period, date]:
    """Turn the shared period options into a :class:`Period` and an as-of date; a bad one is
    an AnalyticsError naming it as ``names`` spells it (the CLI's options by default).

    Exactly one way of naming the period may be used; with none, the last complete ISO week
    (or month, for ``kind="month"``: a business's cadence) before ``as_of`` is reported.
    ``as_of`` defaults to today. ``--days N`` means the N whole days before ``as_of`` (the
    as-of day itself is still under way).
    """
    as_of_date = parse_date(as_of, names.as_of) if as_of is not None else date.today()
    ways = [w for w, used in ((names.period, period), (f"{names.start}/{names.end}", start or end),
                              (names.days, days is not None)) if used]
    if len(ways) > 1:
        raise AnalyticsError(f"give the period one way only, not {' and '.join(ways)}")
    if period:
        result = Period.parse(period)
    elif start or end:
        if not (start and end):
            raise AnalyticsError(f"{names.start} and {names.end} go together; give both")
        result = Period.from_dates(parse_date(start, names.start), parse_date(end, names.end))
    elif days is not None:
        if not 1 <= days <= config.MAX_PERIOD_DAYS:
            raise AnalyticsError(
                f"{names.days} must be between 1 and {config.MAX_PERIOD_DAYS}, not {days}"
            )
        result = Period.from_dates(as_of_date - timedelta(days=days),
                                   as_of_date - timedelta(days=1))
    else:
        result = Period.last_complete(kind, as_of_date)
    if result.start > as_of_date:
        raise AnalyticsError(
            f"period {result.label} starts after the as-of date {as_of_date}; nothing can be "
            f"known about it yet (pass a later {names.as_of})"
        )
    return result, as_of_date
