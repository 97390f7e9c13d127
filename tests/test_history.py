"""History and audience (issue 12): each stored period equals its own report, re-runs never
duplicate a row, the real follower and account exports add up to sums worked by hand, and the
`history` command answers from the warehouse."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from analytics import warehouse
from analytics.cli import cli
from analytics.ingest import ingest_paths
from analytics.metrics import audience, history_table
from analytics.metrics.history import history_of
from analytics.metrics.period import Period
from analytics.report import build_report
from conftest import DEMO_AS_OF, DEMO_PERIOD


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def _copy(demo_path: Path, tmp_path: Path) -> Path:
    """A private copy of the demo warehouse (these tests write history into it), with no
    history stored: the session's demo warehouse collects the history rows of every
    `analytics report` another test ran on it, in whatever order xdist gave them."""
    path = tmp_path / "w.duckdb"
    shutil.copy(demo_path, path)
    con = warehouse.connect(path)
    try:
        con.execute("DELETE FROM business_metrics")
    finally:
        con.close()
    return path


# --- each history row is that period's own report ------------------------------------------------


def test_every_history_period_equals_its_own_report_overview(demo_db) -> None:
    report = build_report(demo_db, "northwind-coffee", DEMO_PERIOD, DEMO_AS_OF).to_dict()
    history = report["history"]
    assert len(history) == 12 and history[-1]["label"] == DEMO_PERIOD
    assert history[0]["label"] == "2026-W36"
    for point in history[::3] + [history[-1]]:  # a few weeks, and the report's own
        own = build_report(demo_db, "northwind-coffee", point["label"], DEMO_AS_OF).to_dict()
        overview = own["overview"]
        assert (point["posts"], point["views"], point["reach"], point["engagement"]) == (
            overview["total_posts"], overview["total_views"], overview["total_reach"],
            overview["total_engagement"]), point["label"]
        assert point["engagement_rate"] == pytest.approx(overview["avg_engagement_rate"])
        assert point["complete"] is own["period"]["complete"]


def test_the_stored_rows_equal_the_report_per_platform(demo_db) -> None:
    frame = history_table(demo_db, "harbour-yoga", DEMO_PERIOD, DEMO_AS_OF, periods=3)
    own = build_report(demo_db, "harbour-yoga", DEMO_PERIOD, DEMO_AS_OF).to_dict()
    week = frame[frame["label"] == DEMO_PERIOD].set_index("platform")
    for platform in own["platforms"]:
        row = week.loc[platform["platform"]]
        assert (row["posts"], row["views"], row["engagement"]) == (
            platform["posts"], platform["views"], platform["engagement"])
    assert week.loc["all", "posts"] == sum(p["posts"] for p in own["platforms"])
    assert set(frame["label"]) == {"2026-W45", "2026-W46", "2026-W47"}


# --- the demo's planted follower surge -----------------------------------------------------------


def test_the_demo_surge_shows_in_the_audience(demo_db) -> None:
    surge = audience(demo_db, "alpine-outfitters", DEMO_PERIOD, DEMO_AS_OF)
    calm = audience(demo_db, "kiku-ramen", DEMO_PERIOD, DEMO_AS_OF)
    assert set(surge.platforms) == {"facebook", "instagram", "linkedin", "tiktok", "x",
                                    "youtube"}
    # about 2,100 extra Instagram followers in the week, against a few dozen normally
    assert surge.platforms["instagram"].net_followers > 1_800
    assert all(abs(row.net_followers) < 400 for row in calm.platforms.values())
    assert surge.total.net_followers == sum(r.net_followers for r in surge.platforms.values())
    assert surge.platforms["facebook"].account_days == 7
    assert surge.platforms["facebook"].account_reach is not None
    assert surge.platforms["x"].account_reach is None  # X reports no reach: unknown, not 0


# --- stored history: upserted by report runs, never duplicated -----------------------------------


def _count(path: Path) -> tuple[int, int]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(
            "SELECT count(*), count(DISTINCT (business_id, period_start, platform))"
            " FROM business_metrics").fetchone()
    finally:
        con.close()


def test_report_runs_store_history_once(demo_path: Path, tmp_path: Path) -> None:
    path = _copy(demo_path, tmp_path)
    args = ("report", "--db", str(path), "--business", "lumen-books,kiku-ramen", "--format",
            "json", "--out", str(tmp_path / "out"), "--period", DEMO_PERIOD, "--as-of",
            DEMO_AS_OF.isoformat())
    assert run(*args).exit_code == 0
    first = _count(path)
    # 2 businesses × 12 weeks × (6 platforms + all): every demo platform has followers
    assert first == (2 * 12 * 7, 2 * 12 * 7)
    assert run(*args, "--force").exit_code == 0
    assert _count(path) == first
    # a later as-of day replaces each period's row (its counters and as-of), adds none
    later = [a if a != DEMO_AS_OF.isoformat() else "2026-11-30" for a in args]
    assert run(*later).exit_code == 0
    assert _count(path) == first
    con = duckdb.connect(str(path), read_only=True)
    assert con.execute("SELECT DISTINCT as_of FROM business_metrics").fetchall() == [
        (date(2026, 11, 30),)]
    con.close()
    assert run(*args, "--force").exit_code == 0  # back to the first as-of, for what follows
    con = warehouse.connect(path, read_only=True)
    stored = con.execute(
        "SELECT posts, engagement FROM business_metrics WHERE business_id = 'lumen-books'"
        " AND label = ? AND platform = 'all'", [DEMO_PERIOD]).fetchone()
    con.close()
    report = json.loads((tmp_path / "out" / "lumen-books" / DEMO_PERIOD / "report.json")
                        .read_text())
    assert stored == (report["overview"]["total_posts"], report["overview"]["total_engagement"])


def test_history_reads_what_reports_stored_and_recomputes_what_is_missing(
        demo_path: Path, tmp_path: Path) -> None:
    path = _copy(demo_path, tmp_path)
    con = warehouse.connect(path)
    last = Period.parse(DEMO_PERIOD)
    first = history_of(con, "northwind-coffee", last, 12, DEMO_AS_OF)
    assert first.recomputed and len({r.label for r in first.rows}) == 12
    again = history_of(con, "northwind-coffee", last, 12, DEMO_AS_OF)
    assert not again.recomputed and again.rows == first.rows
    # 14 weeks: two are missing, so all are recomputed; rows are replaced, never doubled
    longer = history_of(con, "northwind-coffee", last, 14, DEMO_AS_OF)
    assert longer.recomputed and len({r.label for r in longer.rows}) == 14
    assert con.execute("SELECT count(*) FROM business_metrics WHERE platform = 'all'"
                       ).fetchone() == (14,)
    # a period still under way when stored is stale the next time
    under_way = Period.parse("2026-W48")
    assert history_of(con, "northwind-coffee", under_way, 1, date(2026, 11, 25)).recomputed
    assert history_of(con, "northwind-coffee", under_way, 1, date(2026, 11, 25)).recomputed
    con.close()


def test_the_history_command_prints_table_csv_and_json(demo_path: Path, tmp_path: Path) -> None:
    path = _copy(demo_path, tmp_path)
    common = ("history", "--db", str(path), "--business", "alpine-outfitters", "--as-of",
              DEMO_AS_OF.isoformat())
    table = run(*common)
    assert table.exit_code == 0, table.output
    lines = table.output.splitlines()
    assert lines[0].startswith("Alpine Outfitters (alpine-outfitters): 12 weeks as of")
    assert lines[2].startswith("2026-W36") and lines[-1].startswith(DEMO_PERIOD)
    csv_out = run(*common, "--weeks", "3", "--platforms", "--format", "csv")
    rows = csv_out.output.splitlines()
    assert rows[0].startswith("business_id,period_kind,period_start,period_end,label,platform")
    assert len(rows) == 1 + 3 * 7
    as_json = json.loads(run(*common, "--months", "2", "--format", "json").output)
    assert [r["label"] for r in as_json] == ["2026-09", "2026-10"]
    report = build_report(warehouse.connect(path, read_only=True), "alpine-outfitters",
                          "2026-10", DEMO_AS_OF).to_dict()
    assert as_json[1]["engagement"] == report["overview"]["total_engagement"]


@pytest.mark.parametrize("args, message", [
    (("--weeks", "4", "--months", "2"), "error: give one of --weeks, --months, --quarters"),
    (("--as-of", "someday"), "error: --as-of 'someday' is not a date"),
])
def test_history_mistakes_are_one_line(demo_path: Path, args, message) -> None:
    result = run("history", "--db", str(demo_path), "--business", "kiku-ramen", *args)
    assert result.exit_code == 1 and result.output.startswith(message)
    assert result.output.count("\n") == 1


def test_history_of_an_unknown_business_is_one_line(demo_path: Path) -> None:
    result = run("history", "--db", str(demo_path), "--business", "nope")
    assert result.exit_code == 1 and result.output.startswith("error: unknown business 'nope'")


# --- the real exports ----------------------------------------------------------------------------


def test_audience_from_the_real_meta_and_tiktok_exports(exports: Path, fresh_db,
                                                         tmp_path: Path) -> None:
    fresh_db.execute("INSERT INTO businesses (business_id, name, timezone, recipients)"
                     " VALUES ('pcm', 'PC Merchandise', 'UTC', [])")
    for files, options in (
        (["meta/FollowerHistory.csv", "meta/Views.csv"], {"platform": "facebook", "year": 2025}),
        (["tiktok/Overview.csv"], {"platform": "tiktok", "year": 2025}),
    ):
        results = ingest_paths(fresh_db, [exports / f for f in files], business="pcm",
                               rejects_dir=tmp_path / "rejects", **options)
        assert not [r for r in results if r.error], results
    # 2025-W40 (29 Sep – 5 Oct): FollowerHistory.csv reads 22,798 on 28 Sep and 22,780 on
    # 5 Oct (the page lost followers); Views.csv: 23,227 + 24,314 + 26,513 + 26,173 + 20,645
    # + 30,502 + 27,306 = 178,680 over 7 days
    week = audience(fresh_db, "pcm", "2025-W40", "2025-10-20")
    facebook = week.platforms["facebook"]
    assert (facebook.followers_start, facebook.followers_end, facebook.net_followers) == (
        22_798, 22_780, -18)
    assert facebook.growth_rate == pytest.approx(-18 / 22_798 * 100)
    assert (facebook.start_day, facebook.end_day) == ("2025-09-28", "2025-10-05")
    assert (facebook.account_views, facebook.account_days) == (178_680, 7)
    assert facebook.source == "FollowerHistory.csv"
    assert set(week.platforms) == {"facebook"}  # TikTok's April file says nothing of October
    # 2025-W16 (14–20 Apr): TikTok Overview.csv video views 1,737 + 1,082 + 561 + 310 + 1,484
    april = audience(fresh_db, "pcm", "2025-W16", "2025-04-25")
    tiktok = april.platforms["tiktok"]
    assert (tiktok.account_views, tiktok.account_days) == (5_174, 5)
    assert tiktok.followers_end is None and tiktok.net_followers is None  # no follower file
    assert april.total.account_views == 5_174 and april.total.followers_start is None


def test_the_notebook_frames_hold_the_same_numbers(demo_db) -> None:
    from analytics.notebooks import explore

    report = build_report(demo_db, "alpine-outfitters", DEMO_PERIOD, DEMO_AS_OF)
    history = explore.history_frame(report)
    assert list(history.index)[-1] == DEMO_PERIOD and len(history) == 12
    assert history.loc[DEMO_PERIOD, "engagement"] == report.overview.current.engagement
    audience_frame = explore.audience_frame(report)
    assert list(audience_frame.index) == [*sorted(report.audience.platforms), "all"]
    assert audience_frame.loc["all", "net_followers"] == report.audience.total.net_followers
    assert audience_frame.loc["instagram", "net_followers"] > 1_800  # the planted surge


# --- cadence: monthly businesses get months from send and report ---------------------------------


def test_a_monthly_business_is_sent_and_reported_by_month(demo_path: Path, tmp_path: Path) -> None:
    path = _copy(demo_path, tmp_path)
    con = warehouse.connect(path)
    con.execute("UPDATE businesses SET cadence = 'monthly' WHERE business_id = 'lumen-books'")
    con.close()
    out = tmp_path / "reports"
    sent = CliRunner().invoke(cli, [
        "send", "--db", str(path), "--out", str(out), "--business", "lumen-books,kiku-ramen",
        "--as-of", DEMO_AS_OF.isoformat(), "--dry-run"],
        env={"SMTP_FROM": "reports@agency.example", "SMTP_HOST": ""})
    assert sent.exit_code == 0, sent.output
    written = sorted(p.relative_to(out / "outbox").parts[:2]
                     for p in (out / "outbox").rglob("*.eml"))
    assert written == [("kiku-ramen", DEMO_PERIOD), ("lumen-books", "2026-10")]
    made = run("report", "--db", str(path), "--all", "--format", "json", "--out",
               str(tmp_path / "r2"), "--as-of", DEMO_AS_OF.isoformat())
    assert made.exit_code == 0, made.output
    folders = sorted(p.parent.relative_to(tmp_path / "r2").as_posix()
                     for p in (tmp_path / "r2").rglob("report.json"))
    assert "lumen-books/2026-10" in folders and f"kiku-ramen/{DEMO_PERIOD}" in folders
    assert len(folders) == 5
    month = json.loads((tmp_path / "r2" / "lumen-books" / "2026-10" / "report.json").read_text())
    assert [h["label"] for h in month["history"]][-2:] == ["2026-09", "2026-10"]
    # the stored history of a monthly business runs by month too
    history = run("history", "--db", str(path), "--business", "lumen-books", "--as-of",
                  DEMO_AS_OF.isoformat(), "--format", "json")
    assert [r["label"] for r in json.loads(history.output)][-1] == "2026-10"
    assert "2026-10 as of 2026-11-23: 1 report written" in made.output
