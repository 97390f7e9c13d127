"""Who may run at the same time as whom, with real processes (issue 16, issue 10 item 1).

Readers (the notebook helpers, `report --all`) hold the warehouse only while they read, so
`ingest` and `send` run beside them; writers wait for each other within a bound, then fail
with one line; `demo` holds the writer lock for its whole rebuild and leaves no scratch file.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from smtp_helpers import smtp_server

from analytics.cli import cli
from analytics.ingest import demo
from analytics.notebooks import explore
from analytics.warehouse.access import lock_path, reading
from conftest import DEMO_AS_OF, DEMO_PERIOD, POST_COLUMNS, post, write_csv

ROOT = Path(__file__).resolve().parent.parent
AS_OF = DEMO_AS_OF.isoformat()
BIG = 100_000  # views of each post the concurrent ingest adds: unmistakable in any total


def env(**extra: str) -> dict[str, str]:
    return os.environ | {"PYTHONPATH": str(ROOT)} | extra


def analytics(*args: str, **extra: str) -> subprocess.Popen:
    """`analytics ARGS…` in its own process (stdout and stderr captured as text)."""
    return subprocess.Popen([sys.executable, "-m", "analytics", *args], env=env(**extra),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def python(code: str) -> subprocess.Popen:
    """A Python child process running ``code``; its first stdout line says it is ready."""
    return subprocess.Popen([sys.executable, "-c", textwrap.dedent(code)], env=env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish(process: subprocess.Popen, timeout: float = 120) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=timeout)
    return process.returncode, out, err


def new_posts_csv(folder: Path, business_ids: list[str], tag: str = "late") -> Path:
    """One canonical file (one transaction) adding a W47 post of BIG views to each business."""
    rows = [post(b, "instagram", f"{b}-{tag}", "2026-11-18T12:00:00+00:00", views=BIG,
                 likes=1_000, observed_on=AS_OF) for b in business_ids]
    return write_csv(folder / f"{tag}-posts.csv", POST_COLUMNS, rows)


def views(db: Path, business_ids: list[str]) -> dict[str, int]:
    with reading(db) as con:
        rows = con.execute(
            "SELECT c.business_id, sum(m.views) FROM content c JOIN content_metrics m "
            "USING (platform, content_id) WHERE list_contains(?, c.business_id) GROUP BY 1",
            [business_ids]).fetchall()
    return {b: int(v) for b, v in rows}


def scratch_files(db: Path) -> list[str]:
    return sorted(p.name for p in db.parent.iterdir() if p.name.startswith(f".{db.name}."))


@pytest.fixture
def db(demo_path: Path, tmp_path: Path) -> Path:
    path = tmp_path / "warehouse.duckdb"
    shutil.copy(demo_path, path)
    return path


@pytest.fixture
def smtp():
    with smtp_server() as handler:
        yield handler, handler.env


# --- readers never block writers --------------------------------------------------------------


def test_a_notebook_held_open_for_30_s_blocks_neither_ingest_nor_send(
    db: Path, tmp_path: Path, smtp
) -> None:
    server, smtp_env = smtp
    pair = ["northwind-coffee", "harbour-yoga"]
    # the explore notebook's own helpers: open the handle once, read again and again, for at
    # least 30 s and until told to stop (so a slow machine cannot end it before the writers)
    reader = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import json, select, sys, time
        from analytics.notebooks import explore
        wh = explore.open_warehouse({str(db)!r})
        print("ready", flush=True)
        end = time.monotonic() + 30
        while time.monotonic() < end or not select.select([sys.stdin], [], [], 0)[0]:
            frame = explore.compare_businesses(wh, period={DEMO_PERIOD!r}, as_of={AS_OF!r},
                                               business_ids={pair!r})
            print(json.dumps({{b: int(frame.loc[b, "views"]) for b in {pair!r}}}), flush=True)
            time.sleep(0.2)
    """)], env=env(), stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
       text=True)
    assert reader.stdout.readline().strip() == "ready"
    before = views(db, pair)
    frame = explore.compare_businesses(explore.open_warehouse(db), period=DEMO_PERIOD,
                                       as_of=AS_OF, business_ids=pair)
    week_before = {b: int(frame.loc[b, "views"]) for b in pair}

    code, out, err = finish(analytics("ingest", str(new_posts_csv(tmp_path, pair)),
                                      "--db", str(db), "--wait", "20"))
    assert code == 0, err
    assert "inserted" in out
    code, out, err = finish(analytics("send", "--business", "harbour-yoga", "--period",
                                      DEMO_PERIOD, "--as-of", AS_OF, "--db", str(db), "--out",
                                      str(tmp_path / "reports"), "--jobs", "1", "--wait", "20",
                                      **smtp_env))
    assert code == 0, err
    assert len(server.to("marketing@harbour-yoga.example")) == 1
    # both were done while the notebook held its handle and kept reading
    assert reader.poll() is None

    reader.stdin.write("stop\n")
    code, out, err = finish(reader)
    assert code == 0, err
    seen = [json.loads(line) for line in out.splitlines()]
    assert views(db, pair) == {b: before[b] + BIG for b in pair}
    # the week's views as the notebook saw them: either wholly without the new posts or
    # wholly with them, never one business's and not the other's
    week_after = {b: week_before[b] + BIG for b in pair}
    assert all(s in (week_before, week_after) for s in seen), seen
    assert seen[-1] == week_after  # refreshed: the next read sees the ingest
    # unchanged until a read after the ingest, then refreshed for good: never back
    assert seen == sorted(seen, key=lambda s: s == week_after), seen


def test_ingest_finishes_while_report_all_renders_and_the_reports_keep_the_state_they_read(
    tmp_path: Path,
) -> None:
    db = tmp_path / "forty.duckdb"
    demo.generate(db, businesses=40, seed=7, as_of=DEMO_AS_OF, days=120)
    out = tmp_path / "reports"
    target = "northwind-coffee"
    before = views(db, [target])[target]

    batch = analytics("report", "--all", "--period", DEMO_PERIOD, "--as-of", AS_OF, "--db",
                      str(db), "--out", str(out), "--jobs", "1", "--format", "html,pdf,json")
    deadline = time.monotonic() + 120
    while not list(out.glob("*/*/report.json")):  # rendering has begun: the snapshot is read
        assert batch.poll() is None, batch.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.05)
    code, _, err = finish(analytics("ingest", str(new_posts_csv(tmp_path, [target])), "--db",
                                    str(db), "--wait", "30"))
    assert code == 0, err
    assert batch.poll() is None, "the batch ended before the ingest: the test proves nothing"

    code, _, err = finish(batch)
    assert code == 0, err
    assert len(list(out.glob("*/*/report.json"))) == 40
    report = json.loads((out / target / DEMO_PERIOD / "report.json").read_text())
    assert views(db, [target])[target] == before + BIG  # the ingest landed…
    # …after the batch's read: its report is that of the state it read, and says so
    state = report["warehouse"]
    assert state["last_ingest_at"].startswith(AS_OF)  # the demo's ingest, not today's
    with reading(db) as con:
        (observations,) = con.execute("SELECT count(*) FROM content_metrics").fetchone()
    assert state["observations"] == observations - 1
    rerun = analytics("report", "--business", target, "--period", DEMO_PERIOD, "--as-of", AS_OF,
                      "--db", str(db), "--out", str(tmp_path / "again"), "--format", "json")
    assert finish(rerun)[0] == 0
    again = json.loads((tmp_path / "again" / target / DEMO_PERIOD / "report.json").read_text())
    assert again["overview"]["total_views"] == report["overview"]["total_views"] + BIG
    assert again["warehouse"]["observations"] == observations


def test_report_json_records_the_state_read_and_an_ingest_elsewhere_rerenders_nothing(
    db: Path, tmp_path: Path
) -> None:
    out = tmp_path / "reports"
    args = ["report", "--business", "northwind-coffee,harbour-yoga", "--period", DEMO_PERIOD,
            "--as-of", AS_OF, "--db", str(db), "--out", str(out), "--format", "json"]
    assert CliRunner().invoke(cli, args).exit_code == 0

    def state(business_id: str) -> dict:
        return json.loads((out / business_id / DEMO_PERIOD / "report.json").read_text())[
            "warehouse"]

    first = state("northwind-coffee")
    with reading(db) as con:
        assert first == {"observations": counts(db)[1], "last_ingest_at": con.execute(
            "SELECT max(ingested_at) FROM content_metrics").fetchone()[0].isoformat()}
    ingest = CliRunner().invoke(cli, ["ingest", str(new_posts_csv(tmp_path, ["harbour-yoga"])),
                                      "--db", str(db)])
    assert ingest.exit_code == 0, ingest.output
    again = CliRunner().invoke(cli, args)
    assert "1 report written" in again.output and "1 unchanged" in again.output
    assert state("northwind-coffee") == first  # its numbers did not change: not re-rendered
    assert state("harbour-yoga")["observations"] == first["observations"] + 1
    assert state("harbour-yoga")["last_ingest_at"] > first["last_ingest_at"]


# --- writers wait, within a bound --------------------------------------------------------------


def hold(db: Path, how: str) -> subprocess.Popen:
    """A process holding the warehouse (``writing``: another writer, or ``reading``) until a
    line arrives on its stdin."""
    opener = ("writing(db, 'ingest')" if how == "writing" else "reading(db)")
    process = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import sys
        from pathlib import Path
        from analytics.warehouse.access import reading, writing
        db = Path({str(db)!r})
        with {opener}:
            print("holding", flush=True)
            sys.stdin.readline()
    """)], env=env(), stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert process.stdout.readline().strip() == "holding"
    return process


def counts(db: Path) -> tuple[int, ...]:
    with reading(db) as con:
        return tuple(con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                     for t in ("content", "content_metrics", "ingest_files", "delivery_log"))


def test_a_writer_that_cannot_get_the_warehouse_in_time_fails_with_one_line(
    db: Path, tmp_path: Path
) -> None:
    before = counts(db)
    holder = hold(db, "writing")
    try:
        started = time.monotonic()
        code, out, err = finish(analytics("ingest", str(new_posts_csv(tmp_path, ["kiku-ramen"])),
                                          "--db", str(db), "--wait", "1.5",
                                          "--rejects", str(tmp_path / "rejects")))
        waited = time.monotonic() - started
    finally:
        holder.kill()
        holder.wait()
    assert code == 1
    lines = err.strip().splitlines()
    assert len(lines) == 2, err
    assert lines[0].startswith(f"waiting for the warehouse {db}: `analytics ingest` (pid "
                               f"{holder.pid}) has been writing since ")
    assert lines[1].startswith(f"error: the warehouse {db} is still busy after 1.5 s")
    assert "nothing was written" in lines[1] and "Traceback" not in err
    assert 1.5 <= waited < 15
    assert counts(db) == before
    assert not (tmp_path / "rejects").exists()


def test_send_waits_for_a_reader_then_gives_up_by_the_environment_bound(
    db: Path, tmp_path: Path, smtp
) -> None:
    server, smtp_env = smtp
    before = counts(db)
    holder = hold(db, "reading")
    try:
        code, _, err = finish(analytics("send", "--all", "--period", DEMO_PERIOD, "--as-of", AS_OF,
                                        "--db", str(db), "--out", str(tmp_path / "reports"),
                                        ANALYTICS_LOCK_TIMEOUT="1", **smtp_env))
    finally:
        holder.kill()
        holder.wait()
    assert code == 1
    lines = err.strip().splitlines()
    assert "other commands are reading it" in lines[0]
    assert lines[-1].startswith("error:") and "after 1 s" in lines[-1] and len(lines) == 2
    assert counts(db) == before and not server.accepted
    assert not (tmp_path / "reports").exists()


def test_writers_queue_one_after_the_other_within_the_bound(db: Path, tmp_path: Path) -> None:
    holder = hold(db, "writing")
    ingest = analytics("ingest", str(new_posts_csv(tmp_path, ["kiku-ramen"])), "--db", str(db),
                       "--wait", "60")
    first = ingest.stderr.readline()
    assert first.startswith(f"waiting for the warehouse {db}:")
    time.sleep(1)  # still waiting, and saying nothing more
    holder.communicate("done\n")
    code, _, err = finish(ingest)
    assert code == 0, err
    assert "waiting" not in err  # said once, not once per try
    assert views(db, ["kiku-ramen"])["kiku-ramen"] > BIG


# --- demo holds the writer lock for its whole rebuild (issue 10, item 1) --------------------------


def wait_for_scratch(db: Path, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while not scratch_files(db):
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.02)


def test_an_ingest_during_a_demo_rebuild_waits_and_its_rows_are_kept(
    tmp_path: Path,
) -> None:
    db = tmp_path / "warehouse.duckdb"
    args = ["--db", str(db), "--as-of", AS_OF, "--seed", "3"]
    assert finish(analytics("demo", "--businesses", "5", *args))[0] == 0
    rebuild = analytics("demo", "--businesses", "120", *args)
    wait_for_scratch(db, rebuild)  # the rebuild has passed its check for real data
    code, out, err = finish(analytics("ingest", str(new_posts_csv(tmp_path, ["kiku-ramen"])),
                                      "--db", str(db), "--wait", "120"))
    assert code == 0, err
    assert "inserted" in out
    assert finish(rebuild)[0] == 0
    # the ingest ran after the rebuild, into the new warehouse: its rows are there
    assert views(db, ["kiku-ramen"])["kiku-ramen"] > BIG
    assert "waiting for the warehouse" in err and "`analytics demo`" in err
    assert scratch_files(db) == [] and not Path(f"{db}.wal").exists()


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGKILL], ids=["term", "kill"])
def test_a_killed_demo_leaves_no_scratch_file_and_the_warehouse_as_it_was(
    db: Path, how: signal.Signals
) -> None:
    before = counts(db)
    rebuild = analytics("demo", "--businesses", "300", "--db", str(db), "--as-of", AS_OF)
    wait_for_scratch(db, rebuild)
    rebuild.send_signal(how)
    rebuild.wait(timeout=30)
    if how == signal.SIGKILL:  # nothing runs on kill -9: the next writer sweeps up
        assert scratch_files(db)
        code, _, err = finish(analytics("demo", "--businesses", "5", "--db", str(db),
                                        "--as-of", AS_OF, "--wait", "10"))
        assert code == 0, err
    else:
        assert rebuild.returncode != 0
    assert scratch_files(db) == []
    assert counts(db) == before  # the same 5-business demo, whole
    assert lock_path(db).exists()


# --- the bound, the readers, and processes outside our lock ---------------------------------------


def test_a_bad_wait_setting_is_one_line(db: Path) -> None:
    result = CliRunner().invoke(cli, ["businesses", "--db", str(db)],
                                env={"ANALYTICS_LOCK_TIMEOUT": "ten minutes"})
    assert result.exit_code == 1
    assert result.output.strip() == ("error: ANALYTICS_LOCK_TIMEOUT must be a number of "
                                     "seconds, not 'ten minutes'")
    assert CliRunner().invoke(cli, ["businesses", "--db", str(db), "--wait", "-1"]).exit_code == 2


def test_a_reader_waits_for_a_writer_then_reads_what_it_committed(db: Path) -> None:
    writer = python(f"""
        import sys, time
        from analytics.warehouse.access import writing
        with writing({str(db)!r}, "ingest") as con:
            print("holding", flush=True)
            time.sleep(1.5)
            con.execute("UPDATE businesses SET name = 'Renamed' WHERE business_id = 'kiku-ramen'")
    """)
    assert writer.stdout.readline().strip() == "holding"
    result = CliRunner().invoke(cli, ["businesses", "--db", str(db), "--wait", "30"])
    assert finish(writer)[0] == 0
    assert result.exit_code == 0
    assert "waiting for the warehouse" in result.output and "`analytics ingest`" in result.output
    assert "Renamed" in result.output


def test_a_process_outside_the_lock_is_waited_for_and_named(db: Path, tmp_path: Path) -> None:
    outsider = python(f"""
        import time, duckdb
        con = duckdb.connect({str(db)!r})  # the duckdb shell, say: it knows nothing of our lock
        print("holding", flush=True)
        time.sleep(20)
    """)
    assert outsider.stdout.readline().strip() == "holding"
    try:
        code, _, err = finish(analytics("ingest", str(new_posts_csv(tmp_path, ["kiku-ramen"])),
                                        "--db", str(db), "--wait", "1"))
    finally:
        outsider.kill()
        outsider.wait()
    assert code == 1
    lines = err.strip().splitlines()
    assert len(lines) == 2 and "Traceback" not in err
    assert f"another process (pid {outsider.pid}) has it open outside analytics" in lines[0]
    assert lines[1].startswith("error:") and "nothing was written" in lines[1]


def test_a_reader_of_an_older_warehouse_has_it_upgraded_under_the_writer_lock(
    tmp_path: Path,
) -> None:
    import duckdb

    from analytics import warehouse

    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    warehouse.migrate(con, 1)
    con.close()
    told: list[str] = []
    with reading(path, on_wait=told.append) as con:
        assert warehouse.schema_version(con) == warehouse.SCHEMA_VERSION
    assert told == []  # nobody else held it: no wait
