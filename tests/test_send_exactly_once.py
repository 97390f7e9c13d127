"""A message the mail server accepted is recorded `sent`, whatever happens next (review of the
send refactor): an ingest that grabs the warehouse right after the server accepted a message
and holds it past `--wait` only delays the record; a SIGTERM while the server holds a message
stops the run once that message's outcome is recorded. Either way the next run sends no one
a second message, and `send-runs.log` has the run's line. Real `analytics send` processes, a
real SMTP server (aiosmtpd), a real ingest-like writer process holding the writer lock.
"""

from __future__ import annotations

import signal
import subprocess
import time
from pathlib import Path

import pytest
from smtp_helpers import Server, demo_with_recipients, smtp_server
from test_concurrency import finish, hold
from test_send_concurrency import start_send, wait_until_held

from analytics.delivery.send import Outcome, SendOptions, _Run
from analytics.delivery.status import Status
from analytics.warehouse import WarehouseBusy
from analytics.warehouse.access import reading
from conftest import DEMO_PERIOD

FIRST, SECOND = "a@lumen.example", "b@lumen.example"


@pytest.fixture
def db(demo_path: Path, tmp_path: Path) -> Path:
    """The demo warehouse with two recipients for lumen-books."""
    return demo_with_recipients(demo_path, tmp_path, FIRST, SECOND)


class IngestAfterFirstMessage(Server):
    """Takes the first message, then, before its 250 reaches the sender, starts an ingest-like
    writer that holds the warehouse until the test lets it go."""

    def __init__(self, db: Path) -> None:
        super().__init__()
        self.db = db
        self.ingest: subprocess.Popen | None = None

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        reply = await super().handle_DATA(server, session, envelope)
        if len(self.accepted) == 1:
            self.ingest = hold(self.db, "writing")  # returns once it holds the writer lock
        return reply


def rows(db: Path) -> list[tuple[str, str, int]]:
    with reading(db, timeout=10) as con:
        return con.execute("SELECT recipient, status, attempts FROM delivery_log "
                           "ORDER BY recipient").fetchall()


def run_log(db: Path) -> list[str]:
    return (db.parent / "send-runs.log").read_text().splitlines()


def counts(line: str) -> str:
    """The counts of a send-runs.log line (after its time, as_of and dry_run)."""
    return line.split(" | ")[0].split(" ", 3)[3]


def waiting_line(send: subprocess.Popen) -> str:
    """The send's first stderr line that says it waits (or "" if it ended first)."""
    for line in send.stderr:
        if "waiting for the warehouse" in line:
            return line
    return ""


def signalled_mid_smtp(db: Path, reports: Path, smtp: Server,
                       signum: signal.Signals) -> tuple[int, str, str]:
    """A send given ``signum`` while the server holds its first message in DATA: it must go
    on waiting for the server's answer (to record it); then the server answers."""
    release = smtp.hold()
    send = start_send(db, reports, smtp, "--wait", "60")
    try:
        wait_until_held(smtp, send)  # the first message is in DATA, the server not answering
        send.send_signal(signum)
        time.sleep(1)
        assert send.poll() is None  # it waits for the server's answer, to record it
    finally:
        release.set()
    return finish(send)


def test_an_ingest_holding_the_warehouse_past_wait_after_a_message_only_delays_its_record(
    db: Path, reports: Path
) -> None:
    with smtp_server(IngestAfterFirstMessage(db)) as smtp:
        send = start_send(db, reports, smtp, "--wait", "1")
        try:
            line = waiting_line(send)
            ingest = smtp.ingest
            assert ingest is not None, send.communicate()
            assert line.startswith("waiting for the warehouse to record a sent message ("), line
            assert f"`analytics ingest` (pid {ingest.pid})" in line
            time.sleep(2.5)  # well past --wait 1: the run must still be waiting, not gone
            assert send.poll() is None
        finally:
            if smtp.ingest is not None:
                smtp.ingest.communicate("go\n", timeout=30)  # the ingest commits and exits
        code, out, err = finish(send)
        assert code == 0, err
        assert "Traceback" not in err and "error" not in err
        assert f"{FIRST:<32} sent: 250" in out and f"{SECOND:<32} sent: 250" in out
        assert rows(db) == [(FIRST, "sent", 1), (SECOND, "sent", 1)]
        assert counts(run_log(db)[-1]) == (
            "sent=2 written=0 already_sent=0 waiting=0 failed=0 given_up=0 problems=0")

        code, out, err = finish(start_send(db, reports, smtp, "--wait", "1"))
        assert code == 0, err
        assert out.splitlines()[-1].startswith("0 sent, 2 already sent")
        assert len(smtp.to(FIRST)) == 1 and len(smtp.to(SECOND)) == 1
        assert rows(db) == [(FIRST, "sent", 1), (SECOND, "sent", 1)]


def test_sigterm_while_the_server_holds_a_message_stops_the_run_once_it_is_recorded(
    db: Path, reports: Path, smtp: Server
) -> None:
    code, out, err = signalled_mid_smtp(db, reports, smtp, signal.SIGTERM)
    assert code == 128 + signal.SIGTERM, err
    assert err.strip().splitlines()[-1] == ("stopped by SIGTERM: every message sent is "
                                            "recorded; the next run sends the rest")
    assert "Traceback" not in err
    assert f"{FIRST:<32} sent: 250" in out and SECOND not in out  # stopped after recording
    assert len(smtp.to(FIRST)) == 1
    assert rows(db) == [(FIRST, "sent", 1)]
    line = run_log(db)[-1]
    assert counts(line) == (
        "sent=1 written=0 already_sent=0 waiting=0 failed=0 given_up=0 problems=1")
    assert line.endswith(" | run stopped early: terminated (SIGTERM; exit status 143)")

    code, out, err = finish(start_send(db, reports, smtp))
    assert code == 0, err
    assert f"{FIRST:<32} already sent" in out and f"{SECOND:<32} sent: 250" in out
    assert len(smtp.to(FIRST)) == 1 and len(smtp.to(SECOND)) == 1
    assert rows(db) == [(FIRST, "sent", 1), (SECOND, "sent", 1)]


def test_a_send_stopped_by_a_busy_warehouse_says_so_truly_and_logs_its_line(
    db: Path, reports: Path, smtp: Server
) -> None:
    ingest = hold(db, "writing")
    try:
        code, out, err = finish(start_send(db, reports, smtp, "--wait", "1"))
    finally:
        ingest.communicate("go\n", timeout=30)
    assert code == 1
    error = err.strip().splitlines()[-1]
    assert error.startswith(f"error: the warehouse {db} is still busy after 1 s"), err
    assert "no message was sent; the next run sends what is due" in error
    assert not smtp.accepted and rows(db) == []
    line = run_log(db)[-1]
    assert counts(line) == (
        "sent=0 written=0 already_sent=0 waiting=0 failed=0 given_up=0 problems=1")
    assert " | run stopped early: the warehouse " in line and "no message was sent" in line


def test_busy_after_a_message_was_sent_does_not_claim_nothing_was_written(
    db: Path, reports: Path, smtp: Server
) -> None:
    # the short session before the next recipient finds the warehouse busy: the message the
    # run sent before is recorded, and the error says so
    run = _Run(db, SendOptions(out=reports, settings=smtp.settings, wait=0.5), None, None)
    run.result.outcomes.append(Outcome("lumen-books", DEMO_PERIOD, FIRST, Status.SENT, "250"))
    ingest = hold(db, "writing")
    try:
        with pytest.raises(WarehouseBusy) as caught, run.writer():
            pass
    finally:
        ingest.communicate("go\n", timeout=30)
    message = str(caught.value)
    assert "nothing was written" not in message
    assert ("this send stopped here, after sending 1 message (recorded as sent); the next "
            "run sends the rest") in message


def test_ctrl_c_while_the_server_holds_a_message_waits_for_its_record(
    db: Path, reports: Path, smtp: Server
) -> None:
    """SIGINT is held back like SIGTERM between 'sending' and its record: a KeyboardInterrupt
    there would leave the accepted message unrecorded and the next run would send it again."""
    code, out, err = signalled_mid_smtp(db, reports, smtp, signal.SIGINT)
    assert code != 0, err
    assert "Traceback" not in err
    assert f"{FIRST:<32} sent: 250" in out and SECOND not in out
    assert rows(db) == [(FIRST, "sent", 1)]
    assert run_log(db)[-1].endswith(" | run stopped early: interrupted (Ctrl-C)")

    code, out, err = finish(start_send(db, reports, smtp))
    assert code == 0, err
    assert len(smtp.to(FIRST)) == 1 and len(smtp.to(SECOND)) == 1


# --- the sent journal: a run killed while it waits to record a message ----------------------


@pytest.mark.parametrize("stop", [signal.SIGKILL, signal.SIGTERM], ids=["kill-9", "sigterm"])
def test_a_run_stopped_while_it_waits_to_record_a_sent_message_never_sends_it_again(
    db: Path, reports: Path, stop: signal.Signals
) -> None:
    """The server accepted message 1; an ingest holds the warehouse, so its record waits. A
    SIGKILL (systemd 90 s after a stop, kill -9) or a SIGTERM now: the message is in the sent
    journal, so the next run records it and sends it to no one twice. A SIGTERM no longer
    waits behind the ingest (before the journal, it waited without limit)."""
    with smtp_server(IngestAfterFirstMessage(db)) as smtp:
        send = start_send(db, reports, smtp, "--wait", "1")
        try:
            line = waiting_line(send)
            assert line.startswith("waiting for the warehouse to record a sent message"), line
            assert len(smtp.to(FIRST)) == 1
            send.send_signal(stop)
            code, out, err = finish(send, timeout=20)  # stops with the ingest still holding
            assert code == (-signal.SIGKILL if stop == signal.SIGKILL else 128 + stop), err
            if stop == signal.SIGTERM:
                assert "Traceback" not in err
                assert f"{FIRST:<32} sent: 250" in out  # said, though not yet recorded
        finally:
            assert smtp.ingest is not None
            smtp.ingest.communicate("go\n", timeout=30)
        assert rows(db) == [(FIRST, "sending", 0)]  # the warehouse still says "sending"
        assert (db.parent / f"{db.name}.sent.journal").exists()
        code, out, err = finish(start_send(db, reports, smtp, "--wait", "5"))
        assert code == 0, err
        assert f"{FIRST:<32} already sent" in out and f"{SECOND:<32} sent: 250" in out
        assert len(smtp.to(FIRST)) == 1 and len(smtp.to(SECOND)) == 1
        assert rows(db) == [(FIRST, "sent", 1), (SECOND, "sent", 1)]
        assert not (db.parent / f"{db.name}.sent.journal").exists()  # replayed, then removed


def test_a_line_cut_short_in_the_journal_is_reported_not_ignored(
    db: Path, reports: Path, smtp: Server
) -> None:
    (db.parent / f"{db.name}.sent.journal").write_bytes(b'{"business_id": "lumen-bo')
    code, out, err = finish(start_send(db, reports, smtp))
    assert code != 0 or "cut short by a crash" in out + err
    assert "1 line cut short by a crash" in out + err and "check the mail server's log" in out + err
    assert "Traceback" not in err


def test_a_journal_that_cannot_be_written_still_leaves_the_message_recorded(
    db: Path, reports: Path, smtp: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Disk full when the journal line is written (simulated: a full disk cannot be made
    here for root): the warehouse record is then the only one, so it must still be written,
    and the run says so. Found by review: the message was left 'sending' and sent again."""
    import errno

    from analytics.delivery.journal import SentJournal
    from analytics.delivery.send import send

    def full(self: SentJournal, *args: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    from analytics.metrics.period import Period
    from conftest import DEMO_AS_OF

    options = SendOptions(business_ids=("lumen-books",), periods=(Period.parse(DEMO_PERIOD),),
                          as_of=DEMO_AS_OF, out=reports, settings=smtp.settings)
    monkeypatch.setattr(SentJournal, "append", full)
    first = send(db, options)
    monkeypatch.undo()
    assert [(o.recipient, o.status) for o in first.outcomes] == [
        (FIRST, Status.SENT), (SECOND, Status.SENT)]
    assert all("could not be written (No space left on device); the message is recorded in "
               "the warehouse only" in problem for problem in first.problems), first.problems
    assert rows(db) == [(FIRST, "sent", 1), (SECOND, "sent", 1)]
    second = send(db, options)
    assert {o.status for o in second.outcomes} == {Status.ALREADY_SENT}
    assert len(smtp.to(FIRST)) == 1 and len(smtp.to(SECOND)) == 1
