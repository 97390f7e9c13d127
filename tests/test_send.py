"""Sending the weekly emails, against a real SMTP server (aiosmtpd) started on localhost."""

from __future__ import annotations

import email
import shutil
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from email import policy
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader
from smtp_helpers import Server, free_port

from analytics import AnalyticsError, warehouse
from analytics.cli import cli
from analytics.delivery.deliver import SmtpSettings, check_address
from analytics.delivery.options import Retries, SendOptions, SendResult
from analytics.delivery.send import send
from analytics.metrics.period import Period
from conftest import DEMO_AS_OF, DEMO_PERIOD, file_states

WEEK = Period.parse(DEMO_PERIOD)
NOW = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)


@pytest.fixture
def db(demo_path: Path, tmp_path: Path) -> Path:
    """A writable copy of the demo warehouse, with two recipients for two businesses."""
    path = tmp_path / "warehouse.duckdb"
    shutil.copy(demo_path, path)
    con = warehouse.connect(path)
    con.execute("UPDATE businesses SET recipients = ['owner@harbour.example', "
                "'team@harbour.example'] WHERE business_id = 'harbour-yoga'")
    con.execute("UPDATE businesses SET recipients = ['books@lumen.example'] "
                "WHERE business_id = 'lumen-books'")
    con.close()
    return path


def send_options(out: Path, smtp: Server | None = None, *, now: datetime = NOW,
                 as_of: date | None = DEMO_AS_OF, **kwargs) -> SendOptions:
    """The options of one run, from the keywords the tests use (lists for tuples, the retry
    settings flat)."""
    ids = kwargs.pop("business_ids", ["harbour-yoga", "lumen-books"])
    periods = kwargs.pop("periods", None)
    retries = Retries(**{name: kwargs.pop(key) for key, name in (
        ("max_attempts", "max_attempts"), ("retry_now", "now")) if key in kwargs})
    return SendOptions(business_ids=tuple(ids) if ids is not None else None,
                       periods=tuple(periods) if periods is not None else None, as_of=as_of,
                       out=out, settings=smtp.settings if smtp else None, now=now,
                       retries=retries, **kwargs)


def run_send(db: Path, out: Path, smtp: Server | None = None, **kwargs) -> SendResult:
    return send(db, send_options(out, smtp, **kwargs))


def log_rows(db: Path) -> list[tuple]:
    con = warehouse.connect(db, read_only=True)
    try:
        return con.execute("SELECT business_id, period, recipient, status, attempts "
                           "FROM delivery_log ORDER BY ALL").fetchall()
    finally:
        con.close()


def test_one_message_per_recipient_with_the_pdf_and_nothing_of_the_others(
    db: Path, reports: Path, smtp: Server
) -> None:
    result = run_send(db, reports, smtp, periods=[WEEK])
    assert result.ok and result.counts["sent"] == 3
    assert sorted(m["To"] for m in smtp.accepted) == [
        "books@lumen.example", "owner@harbour.example", "team@harbour.example"]
    (harbour,) = smtp.to("owner@harbour.example")
    assert harbour["Subject"] == "Harbour Yoga Studio: your report for 16–22 Nov 2026"
    assert harbour["From"] == "reports@agency.example"
    (attachment,) = list(harbour.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_filename() == "harbour-yoga-2026-W47.pdf"
    pdf = PdfReader(__import__("io").BytesIO(attachment.get_content()))
    assert "Harbour Yoga Studio" in pdf.pages[0].extract_text()
    html = harbour.get_body(("html",)).get_content()
    text = harbour.get_body(("plain",)).get_content()
    assert "<script" not in html.lower() and "<style" not in html.lower()
    for body in (html, text):
        assert "Posts" in body and "Engagement" in body and "last week" in body
        # the top recommendation (smallest q-value): the planted question effect (issue 14)
        assert "Captions that ask a question earn about" in body
    # nothing of Lumen Books in Harbour's message, in any part
    raw = harbour.as_bytes()
    assert b"Lumen" not in raw and b"lumen" not in raw
    assert "Lumen" not in pdf.pages[0].extract_text()


def test_a_send_over_the_shared_reports_renders_nothing(
    db: Path, reports: Path, send_reports_master: Path, smtp: Server
) -> None:
    """Each test's copy of the session's reports is current: send mails it as it is, so the
    send tests pay for rendering once per session. A report rendered again would be a new file
    (written under another name, then renamed): another inode and modification time."""
    def files(root: Path) -> dict[str, tuple[int, int]]:
        # the reports alone: index.html, the agency overview, is rewritten after every batch
        return {name: state for name, state in file_states(root).items()
                if name != "index.html"}

    shared = files(send_reports_master)
    assert {".render.json", "report.json", "report.pdf"} <= {n.split("/")[-1] for n in shared}
    assert files(reports) == shared  # the copy is hard links to the session's files
    result = run_send(db, reports, smtp, periods=[WEEK])
    assert result.counts == {"sent": 3}
    assert files(reports) == shared  # …and the send replaced none of them
    (attachment,) = smtp.to("books@lumen.example")[0].iter_attachments()
    assert attachment.get_content() == (
        send_reports_master / "lumen-books" / WEEK.label / "report.pdf").read_bytes()


def test_sending_again_delivers_nothing(db: Path, reports: Path, smtp: Server) -> None:
    run_send(db, reports, smtp, periods=[WEEK])
    again = run_send(db, reports, smtp, periods=[WEEK],
                     now=NOW + timedelta(hours=1))
    assert len(smtp.accepted) == 3
    assert again.counts == {"already_sent": 3}
    assert [row[3:] for row in log_rows(db)] == [("sent", 1)] * 3


def test_a_refused_recipient_is_retried_on_the_next_run_exactly_once(
    db: Path, reports: Path, smtp: Server
) -> None:
    smtp.refuse.add("team@harbour.example")
    first = run_send(db, reports, smtp, periods=[WEEK])
    assert not first.ok
    assert first.counts == {"sent": 2, "failed": 1}
    (failed,) = [o for o in first.outcomes if o.status == "failed"]
    assert "recipient refused: 550" in failed.detail
    # too soon: the backoff holds it back
    soon = run_send(db, reports, smtp, periods=[WEEK],
                    now=NOW + timedelta(minutes=5))
    assert soon.counts == {"already_sent": 2, "waiting": 1}
    later = run_send(db, reports, smtp, periods=[WEEK],
                     now=NOW + timedelta(hours=1))
    assert later.ok and later.counts == {"already_sent": 2, "sent": 1}
    assert [len(smtp.to(r)) for r in ("owner@harbour.example", "team@harbour.example",
                                      "books@lumen.example")] == [1, 1, 1]
    assert ("harbour-yoga", "2026-W47", "team@harbour.example", "sent", 2) in log_rows(db)


def test_a_dropped_connection_fails_one_and_the_others_go_through(
    db: Path, reports: Path, smtp: Server
) -> None:
    smtp.hang_up.add("owner@harbour.example")
    first = run_send(db, reports, smtp, periods=[WEEK])
    assert first.counts == {"sent": 2, "failed": 1}
    assert smtp.to("owner@harbour.example") == []
    assert len(smtp.to("books@lumen.example")) == 1  # after the drop, a new connection
    second = run_send(db, reports, smtp, periods=[WEEK],
                      now=NOW + timedelta(hours=1))
    assert second.counts == {"already_sent": 2, "sent": 1}
    assert len(smtp.accepted) == 3
    ids = {m["Message-ID"] for m in smtp.accepted}
    assert len(ids) == 3  # one Message-ID per delivery, the same on every attempt


def test_after_max_attempts_it_is_given_up_loudly(db: Path, reports: Path,
                                                  smtp: Server) -> None:
    now = NOW
    for _ in range(3):
        smtp.refuse.add("books@lumen.example")
        result = run_send(db, reports, smtp, periods=[WEEK], now=now,
                          business_ids=["lumen-books"], max_attempts=3)
        now += timedelta(days=1)
    assert result.counts == {"given_up": 1}
    quiet = run_send(db, reports, smtp, periods=[WEEK], now=now,
                     business_ids=["lumen-books"], max_attempts=3)
    assert quiet.counts == {"given_up": 1} and not quiet.ok  # reported on every run
    assert "after 3 attempts" in quiet.outcomes[0].detail
    retried = run_send(db, reports, smtp, periods=[WEEK], now=now,
                       business_ids=["lumen-books"], max_attempts=3, retry_now=True)
    assert retried.counts == {"sent": 1}


def test_a_week_the_scheduler_skipped_is_caught_up(db: Path, reports: Path,
                                                   smtp: Server) -> None:
    monday_w46 = date(2026, 11, 9)  # the run that sends W45
    first = run_send(db, reports, smtp, as_of=monday_w46,
                     now=datetime(2026, 11, 9, 7, tzinfo=UTC), business_ids=["lumen-books"])
    assert [(o.period, o.status) for o in first.outcomes] == [("2026-W45", "sent")]
    # the machine was off on Monday 16 Nov; the next run is Monday 23 Nov
    caught_up = run_send(db, reports, smtp, as_of=DEMO_AS_OF, now=NOW,
                         business_ids=["lumen-books"])
    assert [(o.period, o.status) for o in caught_up.outcomes] == [("2026-W46", "sent"),
                                                                   ("2026-W47", "sent")]
    subjects = [m["Subject"] for m in smtp.accepted]
    assert subjects == ["Lumen Books: your report for 2–8 Nov 2026",
                        "Lumen Books: your report for 9–15 Nov 2026",
                        "Lumen Books: your report for 16–22 Nov 2026"]
    nothing_left = run_send(db, reports, smtp, as_of=DEMO_AS_OF,
                            now=NOW + timedelta(hours=2), business_ids=["lumen-books"])
    assert nothing_left.outcomes == [] and len(smtp.accepted) == 3


def test_dry_run_sends_nothing_and_writes_eml_that_parse_back(
    db: Path, tmp_path: Path, reports: Path, smtp: Server
) -> None:
    outbox = tmp_path / "outbox"
    result = run_send(db, reports, None, periods=[WEEK], dry_run=True,
                      outbox=outbox, sender="reports@agency.example")
    assert result.counts == {"written": 3}
    assert smtp.accepted == [] and log_rows(db) == []
    path = outbox / "harbour-yoga" / "2026-W47" / "owner_at_harbour.example.eml"
    raw = path.read_bytes()
    parsed = email.message_from_bytes(raw, policy=policy.SMTP)
    assert parsed.as_bytes() == raw  # the same message, byte for byte
    assert parsed["To"] == "owner@harbour.example"
    pdf = (reports / "harbour-yoga" / "2026-W47" / "report.pdf").read_bytes()
    (attachment,) = list(parsed.iter_attachments())
    assert attachment.get_content() == pdf


def test_names_and_addresses_cannot_inject_headers(db: Path, reports: Path,
                                                   smtp: Server) -> None:
    con = warehouse.connect(db)  # rows written past the ingest checks, as an old import might
    con.execute("UPDATE businesses SET name = 'Evil\r\nBcc: victim@example.com' "
                "WHERE business_id = 'kiku-ramen'")
    con.execute("UPDATE businesses SET recipients = ['ok@alpine.example', 'not an address', "
                "'x@y.example\nBcc: v@example.com'] WHERE business_id = 'alpine-outfitters'")
    con.close()
    result = run_send(db, reports, smtp, periods=[WEEK],
                      business_ids=["kiku-ramen", "alpine-outfitters", "lumen-books"])
    # a bad address costs only that recipient: alpine's good one still gets its message
    assert sorted(m["To"] for m in smtp.accepted) == ["books@lumen.example", "ok@alpine.example"]
    assert any("kiku-ramen: business name" in p and "line break" in p for p in result.problems)
    assert any(p.startswith("alpine-outfitters") and "recipient 'not an address'" in p
               for p in result.problems)
    assert any(p.startswith("alpine-outfitters") and "Bcc" in p for p in result.problems)
    assert not result.ok
    for bad in ("a@b", "Name <a@b.example>", "a@b.example, c@d.example", "a@@b.example"):
        with pytest.raises(AnalyticsError):
            check_address(bad)


def test_cli_send_never_prints_the_password(db: Path, reports: Path, smtp: Server) -> None:
    env = {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(smtp.settings.port),
           "SMTP_FROM": "reports@agency.example", "SMTP_TLS": "none",
           "SMTP_USER": "agency", "SMTP_PASSWORD": "hunter2-very-secret"}
    result = CliRunner().invoke(cli, [
        "send", "--db", str(db), "--out", str(reports), "--business",
        "lumen-books", "--period", DEMO_PERIOD, "--as-of", DEMO_AS_OF.isoformat()], env=env)
    assert result.exit_code == 1  # this server offers no AUTH: the login fails…
    assert "FAILED" in result.output and "AUTH" in result.output
    assert "hunter2" not in result.output  # …and the password is never shown
    assert "hunter2" not in (db.parent / "send-runs.log").read_text()


def test_cli_send_without_settings_says_what_to_set(db: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["send", "--db", str(db), "--all"], env={
        "SMTP_HOST": "", "SMTP_FROM": ""})
    assert result.exit_code == 1
    assert "set SMTP_HOST and SMTP_FROM in the environment" in result.output


def test_each_run_appends_a_line_to_the_run_log(db: Path, reports: Path, smtp: Server) -> None:
    run_send(db, reports, smtp, periods=[WEEK])
    run_send(db, reports, smtp, periods=[WEEK], now=NOW + timedelta(hours=1))
    lines = (db.parent / "send-runs.log").read_text().splitlines()
    assert len(lines) == 2
    assert "sent=3" in lines[0] and "already_sent=0" in lines[0]
    assert "sent=0" in lines[1] and "already_sent=3" in lines[1]


def test_schedule_prints_and_installs_one_cron_entry(tmp_path: Path) -> None:
    cron = tmp_path / "crontab"
    cron.write_text("MAILTO=ops@example.com\n15 3 * * * /usr/bin/backup\n")
    runner = CliRunner()
    for _ in range(2):  # installing twice leaves one entry
        result = runner.invoke(cli, ["schedule", "--at", "06:45", "--install", "--cron-file",
                                     str(cron), "--db", str(tmp_path / "w.duckdb")])
        assert result.exit_code == 0, result.output
    lines = cron.read_text().splitlines()
    assert lines[:2] == ["MAILTO=ops@example.com", "15 3 * * * /usr/bin/backup"]
    (entry,) = lines[2:]
    assert entry.startswith("45 6 * * * cd ")
    assert "analytics send --all" in entry and entry.endswith("# analytics: weekly report emails")
    systemd = runner.invoke(cli, ["schedule", "--systemd"])
    assert "OnCalendar=*-*-* 07:00:00" in systemd.output and "Persistent=true" in systemd.output


def test_a_week_under_way_is_never_sent(db: Path, reports: Path, smtp: Server) -> None:
    """On Sunday morning the week is not over: the daily run sends the week before, and an
    explicit request for the current week is refused rather than marked sent half-done."""
    sunday = date(2026, 11, 22)
    result = run_send(db, reports, smtp, as_of=sunday,
                      now=datetime(2026, 11, 22, 7, tzinfo=UTC), business_ids=["lumen-books"])
    assert [(o.period, o.status) for o in result.outcomes] == [("2026-W46", "sent")]
    with pytest.raises(AnalyticsError, match="2026-W47 ends on 2026-11-22, not before the "
                                             "as-of date 2026-11-22: it is still under way"):
        run_send(db, reports, smtp, as_of=sunday, periods=[WEEK])


def test_given_up_deliveries_stay_loud_on_scheduled_runs(db: Path, reports: Path,
                                                         smtp: Server) -> None:
    now = NOW
    for _ in range(2):
        smtp.refuse.add("books@lumen.example")
        run_send(db, reports, smtp, now=now, business_ids=["lumen-books"],
                 max_attempts=2)
        now += timedelta(days=1)
    for later in (now, now + timedelta(days=7)):  # nothing due, but the loss is not forgotten
        quiet = run_send(db, reports, smtp, now=later, business_ids=["lumen-books"],
                         max_attempts=2, as_of=DEMO_AS_OF + timedelta(days=1))
        assert [(o.period, o.status) for o in quiet.outcomes] == [("2026-W47", "given_up")]
        assert not quiet.ok


def test_one_mailbox_gets_one_message(db: Path, reports: Path, smtp: Server) -> None:
    con = warehouse.connect(db)
    con.execute("UPDATE businesses SET recipients = ['books@lumen.example', "
                "'Books@Lumen.Example', 'books@lumen.example'] WHERE business_id = 'lumen-books'")
    con.close()
    result = run_send(db, reports, smtp, periods=[WEEK],
                      business_ids=["lumen-books"])
    assert result.counts == {"sent": 1}
    assert len(smtp.accepted) == 1


def test_an_unreachable_server_costs_no_attempts_and_stops_the_run(db: Path, reports: Path,
                                                                   smtp: Server) -> None:
    closed = SmtpSettings(host="127.0.0.1", port=free_port(), sender="reports@agency.example",
                          tls="none")
    result = send(db, replace(send_options(reports, periods=[WEEK]),
                              settings=closed))
    assert result.counts == {"failed": 1, "waiting": 2}  # one try, not a timeout per recipient
    assert "cannot connect to 127.0.0.1" in result.outcomes[0].detail
    assert all(row[4] == 0 for row in log_rows(db))  # no recipient's attempts were used up
    later = run_send(db, reports, smtp, periods=[WEEK], now=NOW + timedelta(hours=1))
    assert later.counts == {"sent": 3}


def test_a_unicode_line_break_in_a_name_is_refused_not_a_crash(db: Path, reports: Path,
                                                               smtp: Server) -> None:
    con = warehouse.connect(db)
    con.execute("UPDATE businesses SET name = 'Evil\u2028Bcc: v@x.example' "
                "WHERE business_id = 'harbour-yoga'")
    con.close()
    result = run_send(db, reports, smtp, periods=[WEEK])
    assert [m["To"] for m in smtp.accepted] == ["books@lumen.example"]
    assert any("harbour-yoga" in p and "line break" in p for p in result.problems)


def test_dry_run_writes_the_message_a_real_run_would_send(db: Path, reports: Path) -> None:
    result = CliRunner().invoke(cli, [
        "send", "--db", str(db), "--out", str(reports), "--business",
        "lumen-books", "--period", DEMO_PERIOD, "--as-of", DEMO_AS_OF.isoformat(), "--dry-run",
    ], env={"SMTP_FROM": "reports@agency.example", "SMTP_HOST": ""})
    assert result.exit_code == 0, result.output
    (path,) = (reports / "outbox").rglob("*.eml")
    parsed = email.message_from_bytes(path.read_bytes(), policy=policy.SMTP)
    assert parsed["From"] == "reports@agency.example"
    assert parsed["Message-ID"].endswith("@agency.example>")
