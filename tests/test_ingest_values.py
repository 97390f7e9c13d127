"""The value parsers every adapter shares: counts, dates, month names, file-name periods."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

import pytest

from analytics.ingest.tables import sniff_encoding
from analytics.ingest.values import (
    DateStyle,
    YearGuess,
    dates_in_name,
    export_period,
    month_number,
    parse_count,
    parse_day_month,
)


@pytest.mark.parametrize("text, value", [
    ("1234", 1234), ("1777.0", 1777), ("1,234", 1234), ("12,345,678", 12_345_678),
    ("1 234", 1234), ("1\u00a0234", 1234), ("+12", 12), (" 7 ", 7), ("0", 0),
    ("1.2K", 1200), ("1.25k", 1250), ("3M", 3_000_000), ("2B", 2_000_000_000),
])
def test_counts_are_read(text, value):
    assert parse_count(text) == (value, None)


@pytest.mark.parametrize("text", ["", "  ", "-", "--", "—", "N/A", "n/a", "undefined", "null",
                                  None])
def test_placeholders_are_missing_not_zero(text):
    assert parse_count(text) == (None, None)


@pytest.mark.parametrize("text, problem", [
    ("-3", "is negative: '-3'"), ("-1,234", "is negative: '-1,234'"),
    ("12.5", "is not a whole number: '12.5'"), ("lots", "is not a number: 'lots'"),
    ("1,23", "is not a number: '1,23'"), ("12%", "is not a number: '12%'"),
    ("1e3", "is not a number: '1e3'"),
])
def test_counts_are_refused_with_a_reason(text, problem):
    assert parse_count(text) == (None, problem)


@pytest.mark.parametrize("word, month", [
    ("April", 4), ("apr", 4), ("Apr.", 4), ("abril", 4), ("avril", 4), ("août", 8),
    ("Sept", 9), ("juil.", 7), ("März", 3), ("mei", 5), ("Dezember", 12), ("desember", 12),
])
def test_month_names_in_several_languages(word, month):
    assert month_number(word) == month


@pytest.mark.parametrize("word", ["jui", "ma", "x", "total"])
def test_ambiguous_or_unknown_month_names(word):
    assert month_number(word) is None


@pytest.mark.parametrize("text, parsed", [
    ("April 12", (None, 4, 12)), ("12 de abril", (None, 4, 12)), ("12. April", (None, 4, 12)),
    ("Apr 12, 2025", (2025, 4, 12)), ("4月12日", (None, 4, 12)), ("4월 12일", (None, 4, 12)),
    ("April 12, 10:30 AM", (None, 4, 12)), ("12 abr 23:05", (None, 4, 12)),
    ("12/04", None), ("April", None), ("Total", None),
])
def test_day_and_month(text, parsed):
    assert parse_day_month(text) == parsed


def test_a_year_from_the_export_period_or_the_year_option():
    style = DateStyle("day_month")
    in_period = YearGuess(period_end=date(2026, 1, 2))
    assert style.parse("December 30", years=in_period) == ("2025-12-30", None)
    assert style.parse("January 2", years=in_period) == ("2026-01-02", None)
    assert style.parse("February 29", years=in_period) == ("2024-02-29", None)
    forward = YearGuess(year=2025)
    assert [style.parse(d, years=forward)[0] for d in ("Dec 30", "Dec 31", "Jan 1")] == [
        "2025-12-30", "2025-12-31", "2026-01-01"]
    backward = YearGuess(year=2026)
    assert [style.parse(d, years=backward)[0] for d in ("Jan 2", "Jan 1", "Dec 31")] == [
        "2026-01-02", "2026-01-01", "2025-12-31"]
    assert style.parse("February 30", years=forward)[1] == "'February 30' is not a date that " \
                                                           "exists"
    assert style.parse("April 12")[1] == "'April 12' has no year (give --year)"


def test_local_times_become_utc_in_the_account_timezone():
    style = DateStyle("local", ("%m/%d/%Y %H:%M",))
    assert style.parse("09/20/2025 17:00", ZoneInfo("Asia/Manila")) == (
        "2025-09-20T09:00:00+00:00", None)
    assert style.parse("07/01/2025 12:00", ZoneInfo("America/New_York")) == (
        "2025-07-01T16:00:00+00:00", None)
    assert style.parse("1999/01/01 00:00", ZoneInfo("UTC"))[1].startswith("'1999/01/01")


@pytest.mark.parametrize("name, dates", [
    ("tweet_activity_metrics_rOpenSci_20211001_20211101_en", [date(2021, 10, 1),
                                                              date(2021, 11, 1)]),
    ("Sep-01-2025_Sep-30-2025_2855862537940540", [date(2025, 9, 1), date(2025, 9, 30)]),
    ("Content 2024-12-09_2025-01-08 Layla", [date(2024, 12, 9), date(2025, 1, 8)]),
    ("northwind_content_1742342400000", [date(2025, 3, 19)]),
    ("Overview", []), ("Table data", []), ("export_20251399", []),
])
def test_dates_in_file_names(name, dates):
    assert dates_in_name(name) == dates


def test_the_export_period_comes_from_the_file_then_its_folders():
    assert export_period("Table data", "Content 2024-12-09_2025-01-08 Layla") == (
        date(2024, 12, 9), date(2025, 1, 8))
    assert export_period("Views", "meta") is None


@pytest.mark.parametrize("head, encoding", [
    (b"\xef\xbb\xbfa,b", "utf-8-sig"), (b"\xff\xfea\x00,\x00", "utf-16"),
    (b"\xfe\xff\x00a\x00,", "utf-16"), (b"a\x00,\x00b\x00\n\x00", "utf-16-le"),
    (b"a,b\n1,2\n", "utf-8"),
])
def test_encodings_are_sniffed(head, encoding):
    assert sniff_encoding(head) == encoding
