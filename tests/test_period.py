"""Periods: ISO weeks, months, ranges, --days, the default week, and clear errors."""

from __future__ import annotations

from datetime import date

import pytest

from analytics import AnalyticsError
from analytics.metrics.period import Period, resolve_period


def test_iso_week() -> None:
    week = Period.parse("2026-W47")
    assert (week.start, week.end, week.label, week.days) == (
        date(2026, 11, 16), date(2026, 11, 22), "2026-W47", 7)
    assert Period.parse("2026-W01").start == date(2025, 12, 29)  # ISO week 1 starts in 2025


def test_month_and_range() -> None:
    assert Period.parse("2026-02").end == date(2026, 2, 28)
    span = Period.parse("2026-11-01..2026-11-30")
    assert (span.days, span.label) == (30, "2026-11-01_2026-11-30")


def test_previous_period_has_the_same_length() -> None:
    prev = Period.parse("2026-11").previous()
    assert (prev.start, prev.end) == (date(2026, 10, 2), date(2026, 10, 31))


def test_default_is_the_last_complete_week_before_as_of() -> None:
    assert resolve_period(as_of="2026-11-25")[0].label == "2026-W47"  # a Wednesday
    # on that week's Sunday the week is still under way: the week before is the last complete
    assert resolve_period(as_of="2026-11-22")[0].label == "2026-W46"
    assert resolve_period(as_of="2026-11-23")[0].label == "2026-W47"  # the Monday after


def test_days_are_the_whole_days_before_the_as_of_date() -> None:
    period, as_of = resolve_period(days=7, as_of="2026-11-25")
    assert (period.start, period.end, as_of) == (date(2026, 11, 18), date(2026, 11, 24),
                                                  date(2026, 11, 25))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"period": "2026-W60"}, "is not an ISO week"),
        ({"period": "2026-13"}, "month must be 01..12"),
        ({"period": "last week"}, "not understood"),
        ({"start": "2026-11-10", "end": "2026-11-01"}, "before its start"),
        ({"start": "2026-11-10"}, "go together"),
        ({"start": "2026-11-31", "end": "2026-12-01"}, "is not a date"),
        ({"period": "2026-W47", "days": 7}, "one way only"),
        ({"days": 0}, "--days must be between 1 and"),
        ({"period": "2026-W52", "as_of": "2026-11-25"}, "starts after the as-of date"),
        ({"start": "2020-01-01", "end": "2026-01-01"}, "the longest supported is 366"),
        ({"as_of": "0001-01-03"}, "--as-of 0001-01-03 is outside 2000–2100"),
        ({"period": "9999-W52", "as_of": "2026-11-25"}, "outside 2000–2100"),
    ],
)
def test_bad_periods_are_clear_errors(kwargs, message) -> None:
    kwargs.setdefault("as_of", "2026-11-25")
    with pytest.raises(AnalyticsError, match=message):
        resolve_period(**kwargs)


def test_quarter() -> None:
    q4 = Period.parse("2026-Q4")
    assert (q4.start, q4.end, q4.label, q4.days, q4.kind) == (
        date(2026, 10, 1), date(2026, 12, 31), "2026-Q4", 92, "quarter")
    assert Period.parse("2026-Q1").days == 90
    with pytest.raises(AnalyticsError, match="a quarter is Q1..Q4"):
        Period.parse("2026-Q5")


def test_a_series_steps_by_its_own_kind_across_years() -> None:
    weeks = Period.parse("2026-W02").series(3)
    assert [p.label for p in weeks] == ["2025-W52", "2026-W01", "2026-W02"]
    months = Period.parse("2026-02").series(3)
    assert [p.label for p in months] == ["2025-12", "2026-01", "2026-02"]
    assert (months[1].start, months[1].end) == (date(2026, 1, 1), date(2026, 1, 31))
    quarters = Period.parse("2026-Q1").series(2)
    assert [(p.label, p.start) for p in quarters] == [("2025-Q4", date(2025, 10, 1)),
                                                     ("2026-Q1", date(2026, 1, 1))]
    days = Period.parse("2026-11-01..2026-11-10").series(2)
    assert [(p.start, p.end) for p in days] == [(date(2026, 10, 22), date(2026, 10, 31)),
                                                (date(2026, 11, 1), date(2026, 11, 10))]
    assert len(Period.parse("2000-W02").series(12)) == 2  # not before 2000


def test_a_monthly_cadence_defaults_to_the_last_complete_month() -> None:
    assert resolve_period(as_of="2026-11-23", kind="month")[0].label == "2026-10"
    assert resolve_period(as_of="2026-12-01", kind="month")[0].label == "2026-11"
    assert resolve_period(as_of="2026-11-23")[0].label == "2026-W47"


@pytest.mark.parametrize(("kind", "as_of", "label", "start", "end"), [
    # a Monday: the week that ended the day before
    ("week", date(2026, 11, 23), "2026-W47", date(2026, 11, 16), date(2026, 11, 22)),
    # a Sunday: its own week is still under way
    ("week", date(2026, 11, 22), "2026-W46", date(2026, 11, 9), date(2026, 11, 15)),
    # New Year's Day, a Thursday: ISO week 52 of the year before
    ("week", date(2026, 1, 1), "2025-W52", date(2025, 12, 22), date(2025, 12, 28)),
    ("month", date(2026, 11, 30), "2026-10", date(2026, 10, 1), date(2026, 10, 31)),
    ("month", date(2026, 12, 1), "2026-11", date(2026, 11, 1), date(2026, 11, 30)),
    ("month", date(2026, 1, 15), "2025-12", date(2025, 12, 1), date(2025, 12, 31)),
    ("month", date(2024, 3, 1), "2024-02", date(2024, 2, 1), date(2024, 2, 29)),
    # the quarter's last day: it is still under way, so the one before
    ("quarter", date(2026, 9, 30), "2026-Q2", date(2026, 4, 1), date(2026, 6, 30)),
    ("quarter", date(2026, 10, 1), "2026-Q3", date(2026, 7, 1), date(2026, 9, 30)),
    ("quarter", date(2026, 2, 10), "2025-Q4", date(2025, 10, 1), date(2025, 12, 31)),
])
def test_last_complete_period_of_each_kind(kind: str, as_of: date, label: str, start: date,
                                           end: date) -> None:
    last = Period.last_complete(kind, as_of)
    assert (last.label, last.start, last.end) == (label, start, end)
    assert last.is_complete(as_of)
    assert resolve_period(as_of=as_of, kind=kind)[0] == last


def test_a_range_has_no_last_complete_period() -> None:
    with pytest.raises(ValueError, match="kind 'days'"):
        Period.last_complete("days", date(2026, 11, 23))
