"""A long send is no writer in the way (issue 9, item 7), and its statuses are one vocabulary.

`send` holds the warehouse's writer lock only for short sessions, never while a report
renders or the mail server talks: an `ingest` (a real process) completes while a send is held
mid-SMTP by a real server. One sender at a time is kept by the senders' own lock, so two sends
started together deliver each message once. A status `send` writes reads back the same through
the delivery log, the CLI lines and summary, and `send-runs.log`.
"""

from __future__ import annotations

import contextlib
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from smtp_helpers import Server, demo_with_recipients
from test_concurrency import analytics, finish, new_posts_csv, views

from analytics.delivery.deliver import load_log
from analytics.delivery.status import Status
from analytics.warehouse.access import reading
from conftest import DEMO_AS_OF, DEMO_PERIOD

RECIPIENT = "books@lumen.example"


@pytest.fixture
def db(demo_path: Path, tmp_path: Path) -> Path:
    """The demo warehouse with one recipient for lumen-books."""
    return demo_with_recipients(demo_path, tmp_path, RECIPIENT)


def start_send(db: Path, reports: Path, smtp: Server, *extra: str) -> subprocess.Popen:
    return analytics("send", "--business", "lumen-books", "--period", DEMO_PERIOD, "--as-of",
                     DEMO_AS_OF.isoformat(), "--db", str(db), "--out", str(reports),
                     "--jobs", "0", *extra, **smtp.env)


def wait_until_held(smtp: Server, send: subprocess.Popen) -> None:
    """Until the server holds a message in DATA (the send is mid-SMTP); rendering comes first."""
    for _ in range(1200):
        if smtp.holding.wait(0.1):
            return
        assert send.poll() is None, send.communicate()
    raise AssertionError("the send never reached the server")


@contextlib.contextmanager
def held_send(db: Path, reports: Path, smtp: Server) -> Iterator[subprocess.Popen]:
    """A send started and held by the server in the middle of its SMTP transaction; let go
    on exit."""
    release = smtp.hold()
    send = start_send(db, reports, smtp, "--wait", "60")
    try:
        wait_until_held(smtp, send)
        yield send
    finally:
        release.set()


def log(db: Path) -> list[tuple[str, str, str, int]]:
    with reading(db, timeout=10) as con:  # a send holding the warehouse would stop this
        return con.execute("SELECT business_id, period, status, attempts FROM delivery_log "
                           "ORDER BY ALL").fetchall()


def test_an_ingest_completes_while_a_send_is_held_mid_smtp(db: Path, tmp_path: Path,
                                                           reports: Path, smtp: Server) -> None:
    with held_send(db, reports, smtp) as send:
        # the row says "sending" before the transaction: a crash now is retried, not lost
        assert log(db) == [("lumen-books", DEMO_PERIOD, "sending", 0)]
        # a short bound: an ingest waiting for a send held open would give up and exit 1
        code, out, err = finish(analytics("ingest", str(new_posts_csv(tmp_path, ["kiku-ramen"])),
                                          "--db", str(db), "--wait", "5"))
        assert code == 0, err
        assert "inserted" in out and "waiting" not in err
        assert send.poll() is None  # the send is still held by the server
    code, out, err = finish(send)
    assert code == 0, err
    assert log(db) == [("lumen-books", DEMO_PERIOD, "sent", 1)]
    assert len(smtp.to(RECIPIENT)) == 1
    assert views(db, ["kiku-ramen"])["kiku-ramen"] > 100_000  # the ingest's rows are kept


def test_two_sends_at_once_deliver_each_message_once(db: Path, reports: Path,
                                                     smtp: Server) -> None:
    with held_send(db, reports, smtp) as first:
        second = start_send(db, reports, smtp, "--wait", "60")
        # the second waits for the senders' lock, naming the first; it claims nothing yet
        line = second.stderr.readline()
        assert "waiting for the warehouse" in line and f"(pid {first.pid})" in line, line
    assert finish(first)[0] == 0
    code, out, err = finish(second)
    assert code == 0, err
    assert f"{RECIPIENT:<32} already sent" in out
    assert out.splitlines()[-1].startswith("0 sent, 1 already sent")
    assert len(smtp.to(RECIPIENT)) == 1
    assert log(db) == [("lumen-books", DEMO_PERIOD, "sent", 1)]


def test_a_status_round_trips_through_the_log_and_the_cli(db: Path, reports: Path,
                                                          smtp: Server) -> None:
    smtp.refuse.add(RECIPIENT)
    code, out, _ = finish(start_send(db, reports, smtp))
    assert code == 1
    assert f"{RECIPIENT:<32} FAILED: recipient refused: 550" in out
    assert out.splitlines()[-1].startswith(
        "0 sent, 0 already sent, 0 waiting to retry, 1 failed, 0 given up")
    # what send wrote is the enum's value, and reads back as the same member
    assert log(db) == [("lumen-books", DEMO_PERIOD, Status.FAILED, 1)]
    with reading(db) as con:
        (delivery,) = load_log(con, ["lumen-books"]).values()
    assert delivery.status is Status.FAILED
    assert delivery.due(delivery.next_attempt_at, 5) is None  # due once its wait is over

    code, out, _ = finish(start_send(db, reports, smtp, "--retry"))
    assert code == 0
    assert f"{RECIPIENT:<32} sent: 250" in out
    code, out, _ = finish(start_send(db, reports, smtp))
    assert code == 0
    assert f"{RECIPIENT:<32} already sent" in out  # read back from the log as SENT
    assert out.splitlines()[-1].startswith("0 sent, 1 already sent")
    runs = (db.parent / "send-runs.log").read_text().splitlines()
    assert [run.split(" | ")[0].split(" ", 3)[3] for run in runs] == [
        "sent=0 written=0 already_sent=0 waiting=0 failed=1 given_up=0 problems=0",
        "sent=1 written=0 already_sent=0 waiting=0 failed=0 given_up=0 problems=0",
        "sent=0 written=0 already_sent=1 waiting=0 failed=0 given_up=0 problems=0",
    ]
