"""One home per rule: each rule the metrics share is defined once, and tested here once."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest

from analytics import AnalyticsError, config
from analytics.metrics import labels
from analytics.metrics.period import Period, parse_date
from analytics.render import fmt_day
from analytics.warehouse import sql


def test_a_period_is_complete_only_once_its_last_day_is_past() -> None:
    week = Period.parse("2026-W47")  # Mon 16 – Sun 22 Nov
    assert not week.is_complete(date(2026, 11, 22))  # counters of the 22nd are still moving
    assert week.is_complete(date(2026, 11, 23))
    assert Period.last_complete_week(date(2026, 11, 23)) == week
    assert Period.last_complete_week(date(2026, 11, 22)) == Period.parse("2026-W46")
    for as_of in (date(2026, 11, 22), date(2026, 11, 23), date(2026, 11, 29)):
        assert Period.last_complete_week(as_of).is_complete(as_of)


@pytest.mark.parametrize("text", ["1999-12-31", "2101-01-01"])
def test_dates_outside_the_year_window_are_refused(text: str) -> None:
    assert config.YEARS == (2000, 2100)
    with pytest.raises(AnalyticsError, match="outside 2000–2100"):
        parse_date(text)


def test_the_year_window_bounds_are_accepted() -> None:
    assert parse_date("2000-01-01") == date(2000, 1, 1)
    assert parse_date("2100-12-31") == date(2100, 12, 31)


def test_rates_are_ratios_of_sums_over_posts_that_report_both_counters() -> None:
    con = duckdb.connect()
    con.execute(sql.load("metric_macros"))
    rows = con.execute(
        "SELECT g, rate_of_sums(e, v), percent_of(sum(e), sum(v)) FROM (VALUES "
        "(1, 10, 100), (1, 30, 900), (1, NULL, 500), (1, 7, NULL), (2, 0, 0)) t(g, e, v) "
        "GROUP BY g ORDER BY g").fetchall()
    # group 1: (10 + 30) / (100 + 900) = 4 %; the post without engagement and the one without
    # views are out of both sums. Group 2: no views, no rate (NULL, never 0 or an error).
    assert rows[0][1] == pytest.approx(4.0)
    assert rows[1][1] is None and rows[1][2] is None


def test_days_are_written_one_way() -> None:
    assert labels.fmt_day(date(2026, 11, 2)) == "2 Nov 2026"
    assert fmt_day("2026-11-02") == fmt_day(date(2026, 11, 2)) == "2 Nov 2026"
    assert fmt_day("2026-11-02T08:00:00+09:00") == "2 Nov 2026"


def test_ingest_refuses_dates_outside_the_same_year_window(load, tmp_path) -> None:
    from analytics.ingest import ingest_paths
    from analytics.ingest.values import DateStyle
    from conftest import POST_COLUMNS, post, write_csv

    con = load([{"business_id": "acme", "name": "Acme", "timezone": "UTC"}])
    path = write_csv(tmp_path / "old.csv", POST_COLUMNS, [
        post("acme", "x", "old", "1999-12-31T10:00:00Z", views=10),
        post("acme", "x", "ok", "2026-11-17T10:00:00Z", views=10)])
    (result,) = ingest_paths(con, [path], rejects_dir=tmp_path / "rejects")
    assert (result.kept, result.rejected) == (1, 1)
    assert "outside the years 2000-2100" in result.rejects[0][2]
    assert DateStyle("day", ("%Y-%m-%d",)).parse("2101-01-01")[0] is None


def test_a_comment_dated_outside_the_year_window_gets_the_posts_reason(load, tmp_path) -> None:
    from analytics.ingest import ingest_paths
    from conftest import post

    con = load([{"business_id": "acme", "name": "Acme", "timezone": "UTC"}],
               [post("acme", "x", "p1", "2026-11-17T10:00:00Z", views=10)])
    path = tmp_path / "comments.csv"
    path.write_text("business_id,platform,content_id,comment_id,created_at,author,text\n"
                    "acme,x,p1,c1,1999-12-31T10:00:00Z,ana,Old\n"  # line 2
                    "acme,x,p1,c2,2101-01-01T10:00:00Z,ana,Far\n"  # line 3
                    "acme,x,p1,c3,2000-01-01T00:00:00Z,ana,Edge\n"  # line 4: inside
                    "acme,x,p1,c4,soon,ana,Bad\n", encoding="utf-8")  # line 5
    (result,) = ingest_paths(con, [path], rejects_dir=tmp_path / "rejects")
    assert (result.kept, result.rejected) == (1, 3)
    assert result.rejects == [
        (2, "created_at", "'1999-12-31T10:00:00Z' is outside the years 2000-2100"),
        (3, "created_at", "'2101-01-01T10:00:00Z' is outside the years 2000-2100"),
        (5, "created_at", "'soon' is not an ISO 8601 time such as 2026-11-20T18:30:00Z"),
    ]


def test_history_marks_a_period_complete_by_period_is_complete(demo_db) -> None:
    from analytics.metrics import history_table

    for as_of, complete in ((date(2026, 11, 22), [True, True, False]),  # W47's last day
                            (date(2026, 11, 23), [True, True, True])):
        frame = history_table(demo_db, "harbour-yoga", "2026-W47", as_of, periods=3)
        rows = frame[frame["platform"] == "all"].sort_values("period_start")
        assert list(rows["label"]) == ["2026-W45", "2026-W46", "2026-W47"]
        assert list(rows["complete"]) == complete
        assert complete == [Period.parse(label).is_complete(as_of) for label in rows["label"]]


def test_the_portal_picker_writes_its_weeks_with_fmt_range() -> None:
    from analytics.serve.views import picker_periods

    choices = dict(picker_periods(date(2026, 11, 30), weeks=6, months=1))  # a Monday
    assert choices["2026-W48"] == "Week 48, 23–29 Nov 2026"
    assert choices["2026-W44"] == "Week 44, 26 Oct – 1 Nov 2026"  # not "26 Oct – 01 Nov"
    assert choices["2026-W48"].removeprefix("Week 48, ") == labels.fmt_range(
        date(2026, 11, 23), date(2026, 11, 29))
    assert choices["2026-10"] == "October 2026"


def test_today_in_a_timezone_has_one_home() -> None:
    from pathlib import Path

    import analytics

    package = Path(analytics.__file__).parent
    homes = [str(p.relative_to(package)) for p in package.rglob("*.py")
             if "def local_today(" in p.read_text(encoding="utf-8")]
    assert homes == ["metrics/period.py"]
