""""Today", "the last complete week" and "a week under way" are judged in each business's own
timezone: a daily send at 07:00 UTC on Monday 23 Nov 2026 is still Sunday 22 Nov, 23:00 in Los
Angeles (W47 under way: W46 is the last complete week) and already Monday 23 Nov, 20:00 in
Auckland (W47 is complete). Sent to a real SMTP server (aiosmtpd) on localhost."""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from analytics import warehouse
from analytics.delivery.send import SendOptions, send
from analytics.metrics.period import Period, local_today

MONDAY_7_UTC = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)


def test_local_today_is_the_day_in_the_business_timezone() -> None:
    assert local_today("America/Los_Angeles", MONDAY_7_UTC) == date(2026, 11, 22)
    assert local_today("Pacific/Auckland", MONDAY_7_UTC) == date(2026, 11, 23)
    assert local_today("UTC", MONDAY_7_UTC) == date(2026, 11, 23)
    # 11:30 UTC on Sunday is already Monday 00:30 in Auckland (UTC+13 in November)
    assert local_today("Pacific/Auckland", datetime(2026, 11, 22, 11, 30, tzinfo=UTC)) == \
        date(2026, 11, 23)
    assert Period.last_complete_week(date(2026, 11, 22)).label == "2026-W46"
    assert Period.last_complete_week(date(2026, 11, 23)).label == "2026-W47"


@pytest.fixture
def db(demo_path: Path, tmp_path: Path) -> Path:
    path = tmp_path / "warehouse.duckdb"
    shutil.copy(demo_path, path)
    con = warehouse.connect(path)
    con.execute("UPDATE businesses SET timezone = 'America/Los_Angeles', "
                "recipients = ['la@shop.example'] WHERE business_id = 'harbour-yoga'")
    con.execute("UPDATE businesses SET timezone = 'Pacific/Auckland', "
                "recipients = ['akl@shop.example'] WHERE business_id = 'lumen-books'")
    con.close()
    return path


def run(db: Path, out: Path, smtp, periods: tuple[Period, ...] | None = None):
    return send(db, SendOptions(business_ids=("harbour-yoga", "lumen-books"), periods=periods,
                                out=out, settings=smtp.settings, now=MONDAY_7_UTC))


def test_the_daily_send_judges_each_week_in_the_business_timezone(db, tmp_path, smtp) -> None:
    result = run(db, tmp_path / "reports", smtp)
    sent = sorted((o.business_id, o.period) for o in result.outcomes if o.status == "sent")
    # Los Angeles gets W46 (its W47 still has an hour of Sunday); Auckland gets W47
    assert sent == [("harbour-yoga", "2026-W46"), ("lumen-books", "2026-W47")]
    subjects = {m["To"]: m["Subject"] for m in smtp.accepted}
    assert set(subjects) == {"la@shop.example", "akl@shop.example"}
    # each report is counted as of the business's own today
    la = (tmp_path / "reports" / "harbour-yoga" / "2026-W46" / "report.json").read_text()
    akl = (tmp_path / "reports" / "lumen-books" / "2026-W47" / "report.json").read_text()
    assert '"as_of": "2026-11-22"' in la and '"as_of": "2026-11-23"' in akl


def test_an_explicit_week_under_way_costs_only_that_business(db, tmp_path, smtp) -> None:
    result = run(db, tmp_path / "reports", smtp, periods=(Period.parse("2026-W47"),))
    assert [(o.business_id, o.status) for o in result.outcomes] == [("lumen-books", "sent")]
    assert result.problems == ["harbour-yoga 2026-W47: still under way in America/Los_Angeles "
                               "(it is 2026-11-22 there); sent once it has ended"]


def test_businesses_are_grouped_by_their_own_day() -> None:
    from analytics.metrics.period import by_local_day

    zones = {"la": "America/Los_Angeles", "akl": "Pacific/Auckland", "ldn": "Europe/London"}
    assert by_local_day(zones, MONDAY_7_UTC) == {date(2026, 11, 22): ["la"],
                                                 date(2026, 11, 23): ["akl", "ldn"]}


def test_report_without_as_of_counts_each_business_as_of_its_own_today(load, tmp_path) -> None:
    import json

    from click.testing import CliRunner

    from analytics.cli import cli
    from conftest import post

    con = load([{"business_id": "la", "name": "LA", "timezone": "America/Los_Angeles"},
                {"business_id": "akl", "name": "AKL", "timezone": "Pacific/Auckland"}],
               [post(b, "x", f"{b}1", "2026-11-17T10:00:00Z", views=500, likes=5)
                for b in ("la", "akl")])
    db = con.execute("SELECT file FROM pragma_database_list WHERE name = current_database()"
                     ).fetchone()[0]
    con.close()
    before = datetime.now(UTC)
    result = CliRunner().invoke(cli, ["report", "--all", "--db", db, "--out",
                                      str(tmp_path / "out"), "--format", "json", "--jobs", "0"])
    after = datetime.now(UTC)
    assert result.exit_code == 0, result.output
    for business, zone in (("la", "America/Los_Angeles"), ("akl", "Pacific/Auckland")):
        (path,) = (tmp_path / "out" / business).glob("*/report.json")
        as_of = json.loads(path.read_text())["period"]["as_of"]
        assert as_of in {local_today(zone, before).isoformat(),
                         local_today(zone, after).isoformat()}
