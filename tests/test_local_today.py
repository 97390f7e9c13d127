"""Without an as-of date, every entry point counts a business as of its own local today and
plans its cadence's period, as `analytics report` does (issue 11 item 7): `analytics notebook`,
the report model (`build_report`, `ReportBatch`) and the metric functions. At 07:00 UTC on
Monday 23 Nov 2026 it is still Sunday 22 Nov in Los Angeles (W47 under way, W46 the last
complete week) and already Monday 23 Nov in Auckland (W47 complete, October the last
complete month)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

from click.testing import CliRunner

from analytics.cli import cli
from analytics.cli.outputs import planned_runs
from analytics.metrics import engagement_trends
from analytics.metrics.period import local_today
from analytics.report import ReportBatch, build_report
from analytics.warehouse.access import Warehouse
from conftest import post

MONDAY_7_UTC = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
ZONES = {"la": "America/Los_Angeles", "akl": "Pacific/Auckland",
         "akl-monthly": "Pacific/Auckland"}


def db_file(con) -> str:
    return con.execute("SELECT file FROM pragma_database_list "
                       "WHERE name = current_database()").fetchone()[0]


def three_businesses(load):
    con = load([{"business_id": b, "name": b.upper(), "timezone": zone}
                for b, zone in ZONES.items()],
               [post(b, "x", f"{b}-1", "2026-11-17T10:00:00Z", views=500, likes=5,
                     observed_on="2026-11-22") for b in ZONES])
    con.execute("UPDATE businesses SET cadence = 'monthly' WHERE business_id = 'akl-monthly'")
    return con


def test_runs_are_planned_per_local_day_and_cadence(load) -> None:
    con = three_businesses(load)
    path = db_file(con)
    con.close()
    runs = planned_runs(Warehouse(path), None, None, None, None, None, None, now=MONDAY_7_UTC)
    assert [(members, p.label, day) for members, p, day in runs] == [
        (["la"], "2026-W46", date(2026, 11, 22)),
        (["akl-monthly"], "2026-10", date(2026, 11, 23)),
        (["akl"], "2026-W47", date(2026, 11, 23)),
    ]


def test_the_report_model_counts_each_business_as_of_its_own_today(load) -> None:
    con = three_businesses(load)
    one = build_report(con, "la", "2026-W47", now=MONDAY_7_UTC)
    assert one.as_of == date(2026, 11, 22)
    assert one.to_dict()["period"]["complete"] is False  # W47 still has an hour of Sunday
    both = {b.business_id: r.as_of for b, r in
            ReportBatch(con, ["la", "akl"], "2026-W47", now=MONDAY_7_UTC)}
    assert both == {"la": date(2026, 11, 22), "akl": date(2026, 11, 23)}
    # an as-of date given is everyone's
    given = {b.business_id: r.as_of for b, r in
             ReportBatch(con, ["la", "akl"], "2026-W47", "2026-11-30", now=MONDAY_7_UTC)}
    assert given == {"la": date(2026, 11, 30), "akl": date(2026, 11, 30)}


def test_the_metric_functions_default_to_the_business_today(load) -> None:
    # the present moment, not a fixed one (the metric functions take no clock): between the
    # two zones, whatever the hour, one has a different day from the server's UTC date
    zones = {"kiri": "Pacific/Kiritimati", "pago": "Pacific/Pago_Pago"}
    con = load([{"business_id": b, "name": b, "timezone": z} for b, z in zones.items()],
               [post(b, "x", f"{b}-1", "2026-11-17T10:00:00Z", views=500, likes=5)
                for b in zones])
    for business, zone in zones.items():
        before = datetime.now(UTC)
        frame = engagement_trends(con, business, days=7)
        after = datetime.now(UTC)
        last = frame["date"].iloc[-1].date()
        assert last in {local_today(zone, before), local_today(zone, after)}, business


def test_notebook_without_as_of_uses_the_business_today_and_cadence(load, tmp_path) -> None:
    con = load([{"business_id": "akl-monthly", "name": "AKL", "timezone": "Pacific/Auckland"}],
               [post("akl-monthly", "x", "m1", "2026-10-14T10:00:00Z", views=500, likes=5)])
    con.execute("UPDATE businesses SET cadence = 'monthly' WHERE business_id = 'akl-monthly'")
    path = db_file(con)
    con.close()
    before = datetime.now(UTC)
    result = CliRunner().invoke(cli, ["notebook", "--business", "akl-monthly", "--db", path,
                                      "--out", str(tmp_path / "out"), "--jobs", "1"])
    after = datetime.now(UTC)
    assert result.exit_code == 0, result.output
    (notebook,) = (tmp_path / "out" / "akl-monthly").glob("*/notebook.ipynb")
    folder = notebook.parent.name
    parameters = json.loads(notebook.read_text())["metadata"]["papermill"]["parameters"]
    days = {local_today("Pacific/Auckland", moment) for moment in (before, after)}
    assert date.fromisoformat(parameters["as_of"]) in days
    # a monthly business: the last complete month before its own today, not an ISO week
    expected = {f"{d.replace(day=1) - timedelta(days=1):%Y-%m}" for d in days}
    assert folder in expected, (folder, result.output)
    assert result.output.startswith(f"{folder} as of "), result.output
