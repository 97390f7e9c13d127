"""`send --days N` counts back from each business's own today, as `report` and `notebook` do:
at 07:00 UTC on Monday 23 Nov 2026 it is still Sunday 22 Nov in Los Angeles and already
Monday 23 Nov in Auckland, so `--days 7` is 15–21 Nov for the one and 16–22 Nov for the other
(the as-of day itself is still under way). Sent to a real SMTP server (aiosmtpd)."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from smtp_helpers import Server

from analytics import AnalyticsError, warehouse
from analytics.cli import cli
from analytics.delivery.send import SendOptions, send
from analytics.metrics.period import Period, local_today

MONDAY_7_UTC = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
ZONES = {"harbour-yoga": "America/Los_Angeles", "lumen-books": "Pacific/Auckland"}


@pytest.fixture
def db(demo_path: Path, tmp_path: Path) -> Path:
    path = tmp_path / "warehouse.duckdb"
    shutil.copy(demo_path, path)
    con = warehouse.connect(path)
    for business_id, zone in ZONES.items():
        con.execute("UPDATE businesses SET timezone = ?, recipients = [?] WHERE business_id = ?",
                    [zone, f"{business_id}@shop.example", business_id])
    con.close()
    return path


def test_days_count_back_from_each_business_own_today(db: Path, tmp_path: Path,
                                                      smtp: Server) -> None:
    result = send(db, SendOptions(business_ids=tuple(ZONES), days=7, out=tmp_path / "reports",
                                  settings=smtp.settings, now=MONDAY_7_UTC))
    assert result.ok, result.problems
    sent = sorted((o.business_id, o.period) for o in result.outcomes if o.status == "sent")
    assert sent == [("harbour-yoga", "2026-11-15_2026-11-21"),
                    ("lumen-books", "2026-11-16_2026-11-22")]
    for business_id, label, as_of in (("harbour-yoga", "2026-11-15_2026-11-21", "2026-11-22"),
                                      ("lumen-books", "2026-11-16_2026-11-22", "2026-11-23")):
        period = json.loads((tmp_path / "reports" / business_id / label / "report.json")
                            .read_text())["period"]
        assert period["as_of"] == as_of
    assert sorted(m["To"] for m in smtp.accepted) == ["harbour-yoga@shop.example",
                                                      "lumen-books@shop.example"]


def test_days_with_as_of_is_the_same_window_for_every_business(db: Path, tmp_path: Path,
                                                               smtp: Server) -> None:
    result = send(db, SendOptions(business_ids=tuple(ZONES), days=7, as_of=date(2026, 11, 23),
                                  out=tmp_path / "reports", settings=smtp.settings,
                                  now=MONDAY_7_UTC))
    assert sorted((o.business_id, o.period) for o in result.outcomes) == [
        ("harbour-yoga", "2026-11-16_2026-11-22"), ("lumen-books", "2026-11-16_2026-11-22")]


def test_days_and_periods_together_or_out_of_range_are_refused(db: Path, tmp_path: Path,
                                                               smtp: Server) -> None:
    with pytest.raises(AnalyticsError, match="one way only"):
        send(db, SendOptions(days=7, periods=(Period.parse("2026-W46"),), out=tmp_path,
                             settings=smtp.settings, now=MONDAY_7_UTC))
    with pytest.raises(AnalyticsError, match="--days must be between 1 and"):
        send(db, SendOptions(days=0, out=tmp_path, settings=smtp.settings, now=MONDAY_7_UTC))
    assert not smtp.accepted and not (db.parent / "send-runs.log").exists()


def test_the_cli_resolves_days_per_business(db: Path, tmp_path: Path) -> None:
    # the CLI's clock is the real one: each business's window must end on the day before its
    # own today at that moment (not the server's date, which it was before; from 08:00 to
    # 11:00 UTC all three dates agree, and only the test above tells them apart)
    before = datetime.now(UTC)
    result = CliRunner().invoke(cli, [
        "send", "--business", "harbour-yoga", "--business", "lumen-books", "--days", "7",
        "--dry-run", "--db", str(db), "--out", str(tmp_path / "reports"), "--jobs", "0"],
        env={"SMTP_FROM": "reports@agency.example"})
    after = datetime.now(UTC)
    assert result.exit_code == 0, result.output
    for business_id, zone in ZONES.items():
        (folder,) = (tmp_path / "reports" / "outbox" / business_id).iterdir()
        assert list(folder.glob("*.eml"))
        todays = {local_today(zone, moment) for moment in (before, after)}
        assert folder.name in {Period.from_dates(today - timedelta(days=7),
                                                 today - timedelta(days=1)).label
                               for today in todays}

