"""The weekly job: find what is due, render what is missing or stale, deliver, log the run.

Which periods are due for a business when no period is named: :mod:`analytics.delivery.due`.

Rendering a report computes its history; the job stores it (``business_metrics``), as
``analytics report`` does.

Reports are rendered through the normal batch (``analytics.render.batch``), which skips a business
whose report is current, so sending never re-renders for nothing and never sends a stale PDF.

Who holds what, so that ``ingest`` runs while a long send is under way: the run holds the
senders' lock (``<warehouse>.send.lock``: one sender at a time, so no delivery is attempted by
two runs) from start to end, and the warehouse's writer lock only for short sessions: one to
read what is due (the claim), one to store each rendered batch's history, and two per
message: before the SMTP transaction (the delivery marked ``sending``, its portal token
granted) and right after it (its outcome). Rendering reads the warehouse through short
read-only connections; no connection is open while the mail server is talking.

Exactly once: a message the server accepted is first appended to the sent journal
(:mod:`analytics.delivery.journal`, fsync'd), then recorded ``sent`` in its own session, which
waits for the warehouse as long as it takes: an ingest holding it past ``--wait`` delays the
run instead of losing the record, and a run killed meanwhile (SIGKILL, power cut) leaves the
journal line, which the next run records before it claims anything (a row left ``sending``
would be sent again, and most mailboxes do not drop a repeated Message-ID). A SIGTERM becomes
``SystemExit`` (``terminate_as_exit``); between marking a delivery ``sending`` and the journal
line it waits (``uninterrupted``); then the run records what it can at once and stops.
Every run, stopped early or not, appends its line to ``send-runs.log``.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import duckdb
import orjson

from analytics import AnalyticsError, config
from analytics.delivery import run_log
from analytics.delivery.deliver import (
    ConnectionFailed,
    Delivery,
    DeliveryError,
    Extras,
    Mailer,
    backoff,
    check_address,
    check_name,
    compose,
    load_log,
    message_id,
    record,
)
from analytics.delivery.due import due_periods
from analytics.delivery.journal import SentJournal
from analytics.delivery.options import Outcome, SendOptions, SendResult
from analytics.delivery.status import Status
from analytics.metrics.history import store as store_history
from analytics.metrics.labels import plural
from analytics.metrics.period import CADENCES, Period, local_today, resolve_period
from analytics.report import atomic_write, report_dir
from analytics.warehouse import WarehouseBusy
from analytics.warehouse.access import (
    OnWait,
    Warehouse,
    sending,
    terminate_as_exit,
    uninterrupted,
    writing,
)
from analytics.warehouse.businesses import Business, list_businesses

#: Seconds a stopping run waits for the warehouse to record its last message (the journal
#: keeps it when that is not enough).
STOPPING_WAIT = 2.0


def _safe_name(recipient: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", recipient.replace("@", "_at_"))


def send(
    db: str | Path,
    options: SendOptions,
    on_outcome: Callable[[Outcome], None] | None = None,
    on_wait: OnWait | None = None,
) -> SendResult:
    """Deliver the reports of ``options.business_ids`` for ``options.periods`` from the
    warehouse ``db``; ``on_outcome`` is called with each outcome as it happens, ``on_wait``
    with one line when the run starts to wait for the warehouse.

    A period still under way (its last day not before the as-of day) is refused: a weekly
    report sent on Sunday morning would miss Sunday, and once marked sent never be sent whole.
    With ``as_of`` given, that refusal stops the run; without it, it costs only the businesses
    for which the period is still under way.

    With ``portal_url``, each message carries a "View online" link holding a token of its own
    for that one business, valid ``config.EMAIL_LINK_DAYS`` days (a dry run shows where the
    token goes and grants none).
    """
    run = _Run(Path(db), options, on_outcome, on_wait)
    try:
        # SIGTERM (a service manager stopping the job) unwinds as SystemExit: every finally
        # below runs, and a message being sent is recorded before the run stops
        with terminate_as_exit():
            # a dry run records nothing, so it need not wait for a real run to end
            lock = (contextlib.nullcontext() if options.dry_run
                    else sending(run.db, timeout=options.wait, on_wait=on_wait))
            with lock:
                try:
                    wanted = run.claim()
                    run.deliver(wanted)
                finally:
                    if not options.dry_run:
                        run.journal.finish()
    except BaseException as exc:
        # the run stops early; its line says so, and what it sent (every sent is recorded)
        why = run_log.why_stopped(exc, options.settings)
        run.result.problems.append(f"run stopped early: {why}")
        raise
    finally:
        run.result.run_log = run_log.append(run.db, run.result, options, run.now)
    return run.result


class _Run:
    """One run of :func:`send`: its options, clock, log and mailer, and what it did."""

    def __init__(self, db: Path, options: SendOptions,
                 on_outcome: Callable[[Outcome], None] | None, on_wait: OnWait | None) -> None:
        self.db, self.options, self.on_outcome, self.on_wait = db, options, on_outcome, on_wait
        self.now = options.now or datetime.now(UTC)
        self.settings = options.settings
        if not options.dry_run and self.settings is None:
            raise AnalyticsError("no SMTP settings: set SMTP_HOST and SMTP_FROM, or use "
                                 "--dry-run")
        if options.days is not None:
            if options.periods:
                raise AnalyticsError("give the period one way only, not periods and days")
            # a bad N fails now, before the warehouse is touched
            resolve_period(days=options.days, as_of=options.as_of or self.now.date())
        for period in options.periods or ():
            if options.as_of is not None and not period.is_complete(options.as_of):
                raise AnalyticsError(
                    f"period {period.label} ends on {period.end}, not before the as-of date "
                    f"{options.as_of}: it is still under way; send it once it has ended"
                )
        # a dry run writes the message a real run would send: same From, same Message-ID; it
        # never invents a From address
        sender = self.settings.sender if self.settings else options.sender
        if not sender:
            raise AnalyticsError("set SMTP_FROM (e.g. 'Acme Agency <reports@acme.example>'): a "
                                 "dry run writes the messages a real run would send, From "
                                 "included")
        self.sender: str = sender
        self.outbox = options.outbox or Path(options.out) / "outbox"
        self.result = SendResult()
        self.log: dict[tuple, Delivery] = {}
        self.journal = SentJournal(db)

    def emit(self, outcome: Outcome) -> None:
        self.result.outcomes.append(outcome)
        if self.on_outcome:
            self.on_outcome(outcome)

    def writer(self) -> contextlib.AbstractContextManager[duckdb.DuckDBPyConnection]:
        """A short read-write session; the writer lock is released when it closes. Waiting
        longer than ``--wait`` for it stops the run (WarehouseBusy), saying what was sent."""
        sent = self.result.counts[Status.SENT]
        if_busy = ("no message was sent; the next run sends what is due" if not sent
                   else f"this send stopped here, after sending {plural(sent, 'message')} "
                        "(recorded as sent); the next run sends the rest")
        return writing(self.db, "send", timeout=self.options.wait, on_wait=self.on_wait,
                       if_busy=if_busy)

    def recorder(self, what: str) -> contextlib.AbstractContextManager[duckdb.DuckDBPyConnection]:
        """A writer session recording ``what`` has already happened (``a sent message``): it
        waits for the warehouse without a time limit, since giving up would lose it."""
        return writing(self.db, "send", on_wait=self.on_wait, recording=what)

    def claim(self) -> dict[tuple[Period, date], list[Business]]:
        """Read the businesses and their delivery log in one short writer session, and work out
        what is due: (period, as-of day) → businesses. Businesses of one timezone band share
        an as-of day, so a batch still renders many reports from one snapshot."""
        options, now = self.options, self.now
        max_attempts = options.retries.max_attempts
        with self.writer() as con:
            # messages an earlier run had sent but not recorded (it was killed): recorded first
            journaled, unreadable = (self.journal.entries() if options.dry_run
                                     else self.journal.replay(con))
            businesses = list_businesses(con, options.business_ids, clients_only=True)
            self.log = load_log(con, [b.business_id for b in businesses])
        if not options.dry_run:
            self.journal.clear()  # committed: its lines are in the delivery log now
        for entry in journaled:  # a dry run reads them without recording them
            self.log[(entry.business_id, entry.period, entry.recipient)] = entry.delivery()
        if unreadable:
            self.result.problems.append(
                f"{self.journal.path}: {plural(unreadable, 'line')} cut short by a crash; a "
                "message may have been sent without its record: check the mail server's log")
        if options.retries.now:
            for delivery in self.log.values():
                if delivery.status is not Status.SENT:
                    delivery.attempts, delivery.next_attempt_at = 0, None
        by_business: dict[str, list[Delivery]] = {}  # the log read once, not per business
        for delivery in self.log.values():
            by_business.setdefault(delivery.business_id, []).append(delivery)
        wanted: dict[tuple[Period, date], list[Business]] = {}
        for business in businesses:
            rows = by_business.get(business.business_id, [])
            day = options.as_of if options.as_of is not None else local_today(
                business.timezone, now)
            kind = CADENCES.get(business.cadence, "week")
            if options.days is not None:  # the N days before this business's own as-of day
                periods = [resolve_period(days=options.days, as_of=day)[0]]
            else:
                periods = list(options.periods or due_periods(rows, day, now, max_attempts, kind))
            for period in periods:
                if not period.is_complete(day):  # only an explicit period, without --as-of
                    self.result.problems.append(
                        f"{business.business_id} {period.label}: still under way in "
                        f"{business.timezone} (it is {day} there); sent once it has ended")
                    continue
                wanted.setdefault((period, day), []).append(business)
        in_run = {(b.business_id, p.label) for (p, _), group in wanted.items() for b in group}
        # deliveries given up long ago stay loud on every run, whatever the period asked for;
        # a failed delivery waiting out its backoff is counted: "0 waiting" would hide it
        for (business_id, label, recipient), delivery in sorted(self.log.items()):
            hold = delivery.due(now, max_attempts)
            if (business_id, label) in in_run or hold is None:
                continue
            if hold.status is Status.GIVEN_UP:
                tried = plural(delivery.attempts, "attempt")
                self.emit(Outcome(business_id, label, recipient, hold.status,
                                  f"after {tried}: {delivery.last_error}"))
            elif hold.status is Status.WAITING:
                self.emit(Outcome(business_id, label, recipient, hold.status,
                                  f"{hold.reason} ({delivery.last_error})"))
        return wanted

    def deliver(self, wanted: dict[tuple[Period, date], list[Business]]) -> None:
        """Render each due batch (read-only reads), then deliver it business by business."""
        from analytics.render.batch import RenderOptions, run_batch

        options = self.options
        render = RenderOptions(out=Path(options.out), templates=options.templates,
                               brands_dir=options.brands_dir, pdf_engine=options.pdf_engine)
        source = Warehouse(self.db, timeout=options.wait, on_wait=self.on_wait)
        mailer = None if options.dry_run else Mailer(self.settings)  # type: ignore[arg-type]
        try:
            for period, day in sorted(wanted, key=lambda key: (key[0].label, key[1])):
                group = wanted[(period, day)]
                rendered = run_batch(source, [b.business_id for b in group], period, day,
                                     render, jobs=options.jobs)
                if not options.dry_run and rendered.history_rows:  # a dry run records nothing
                    with self.writer() as con:
                        store_history(con, rendered.history_rows)
                failed_render = {o.business_id: o.error for o in rendered.outcomes
                                 if o.status == "failed"}
                for business in group:
                    if business.business_id in failed_render:
                        self.result.problems.append(
                            f"{business.business_id} {period.label}: report could not be "
                            f"rendered: {failed_render[business.business_id]}")
                        continue
                    try:
                        _Business(self, business, period, mailer).deliver()
                    except WarehouseBusy:
                        raise  # the warehouse, not this business: stop the run
                    except (AnalyticsError, ValueError, OSError) as exc:  # one business
                        problem = f"{business.business_id} {period.label}: {exc}"
                        self.result.problems.append(
                            self.settings.redact(problem) if self.settings else problem)
        finally:
            if mailer is not None:
                mailer.close()


class _Business:
    """Delivering one business's report for one period to each of its recipients.

    Each SMTP transaction is preceded by one short writer session that grants the message's
    portal token and marks the delivery ``sending`` (so a process killed mid-transaction
    leaves a row the next run retries with the same Message-ID), and followed by one that
    records its outcome, waiting for the warehouse as long as it takes. No connection is open
    during SMTP.
    """

    def __init__(self, run: _Run, business: Business, period: Period,
                 mailer: Mailer | None) -> None:
        self.run, self.business, self.period, self.mailer = run, business, period, mailer

    def problem(self, text: str) -> None:
        self.run.result.problems.append(text)

    def outcome(self, recipient: str, status: Status, detail: str) -> None:
        self.run.emit(Outcome(self.business.business_id, self.period.label, recipient, status,
                              detail))

    def recipients(self) -> list[str]:
        """One message per mailbox: addresses compare without regard to case. A malformed or
        internationalised address (non-ASCII: this sender does not speak SMTPUTF8) is refused
        for that recipient alone; the business's other recipients still get their message."""
        checked: list[str] = []
        for address in self.business.recipients:
            try:
                checked.append(check_address(address))
            except AnalyticsError as exc:
                self.problem(f"{self.business.business_id} {self.period.label}: not sent to "
                             f"this recipient: {exc}")
        return list(dict.fromkeys(checked))

    def deliver(self) -> None:
        business_id, run = self.business.business_id, self.run
        try:
            check_name(self.business.name)
        except AnalyticsError as exc:
            self.problem(f"{business_id}: {exc}")
            return
        recipients = self.recipients()
        if not recipients and not self.business.recipients:
            self.problem(f"{business_id}: no recipients; add them in the businesses file")
            return
        folder = report_dir(run.options.out, business_id, self.period)
        report = orjson.loads((folder / "report.json").read_bytes())
        pdf = (folder / "report.pdf").read_bytes()
        for recipient in recipients:
            self.to(recipient, report, pdf)

    def to(self, recipient: str, report: dict, pdf: bytes) -> None:
        run, label = self.run, self.period.label
        now, max_attempts = run.now, run.options.retries.max_attempts
        key = (self.business.business_id, label, recipient)
        delivery = run.log.setdefault(key, Delivery(*key))
        hold = delivery.due(now, max_attempts)
        if hold is not None:
            tried = plural(delivery.attempts, "attempt")
            detail = (f"{hold.reason} after {tried}: {delivery.last_error}"
                      if hold.status is Status.GIVEN_UP else hold.reason)
            self.outcome(recipient, hold.status, detail)
            return
        if self.mailer is not None and self.mailer.unreachable:
            self.outcome(recipient, Status.WAITING, f"not attempted: {self.mailer.unreachable}")
            return
        if self.mailer is None:  # a dry run: the message written, nothing recorded
            message = compose(report, recipient, pdf, run.sender, now, Extras(
                run.options.templates, _view_url(None, run.options.portal_url, key, now)))
            path = run.outbox / key[0] / label / f"{_safe_name(recipient)}.eml"
            atomic_write(path, message.as_bytes())
            self.outcome(recipient, Status.WRITTEN, str(path))
            return
        delivery.message_id = message_id(*key, run.sender)
        try:
            # connect and log in before the row says "sending": a server that cannot be used
            # must leave the row as it was, not "sending" with no attempt made
            self.mailer.ready()
        except ConnectionFailed as exc:
            self.unreachable(delivery, exc)
            with run.writer() as con:
                record(con, delivery, now)
            self.outcome(recipient, Status.FAILED, str(exc))
            return
        with contextlib.ExitStack() as held:
            with run.writer() as con:
                message = compose(report, recipient, pdf, run.sender, now, Extras(
                    run.options.templates, _view_url(con, run.options.portal_url, key, now)))
                # from the row saying "sending" until the server's answer is on disk, a SIGTERM
                # or Ctrl-C waits: cut in between, the next run would send the message again
                held.enter_context(uninterrupted())
                delivery.status = Status.SENDING
                record(con, delivery, now, report_sha256=hashlib.sha256(pdf).hexdigest())
            # the writer lock is free again: an ingest may run while the server answers
            reply = self.transaction(delivery, message)
            journaled = delivery.status is Status.SENT and self.journal(delivery, reply)
            try:
                held.close()  # a SIGTERM or Ctrl-C held back meanwhile is raised here
            except BaseException:
                # stopping: a sent message the journal lacks is recorded however long it takes
                self.store(delivery, reply, journaled,
                           wait=delivery.status is Status.SENT and not journaled)
                raise
        self.store(delivery, reply, journaled, wait=True)

    def journal(self, delivery: Delivery, reply: str | None) -> bool:
        """Put an accepted message in the sent journal; False (and a problem said) when the
        journal cannot be written (disk full): the warehouse record is then the only one."""
        try:
            self.run.journal.append(delivery, reply, self.run.now)
        except OSError as exc:
            self.problem(f"{delivery.business_id} {delivery.period}: the sent journal "
                         f"{self.run.journal.path} could not be written ({exc.strerror or exc}); "
                         "the message is recorded in the warehouse only")
            return False
        return True

    def store(self, delivery: Delivery, reply: str | None, journaled: bool, *,
              wait: bool) -> None:
        """Record an attempt's outcome, then say it. ``wait``: as long as the warehouse takes
        (a stop signal still ends the wait: a sent message is in the journal, and a failed
        one is tried again). Without ``wait`` (the run is stopping) only if it is free now."""
        run, sent = self.run, delivery.status is Status.SENT
        try:
            session = (run.recorder("a sent message" if sent else "a failed delivery") if wait
                       else writing(run.db, "send", timeout=STOPPING_WAIT))
            with session as con:
                record(con, delivery, run.now, reply=reply)
            if journaled:
                run.journal.recorded()
        except WarehouseBusy:
            pass  # stopping: the next run replays the journal (or tries a failure again)
        finally:
            max_attempts = run.options.retries.max_attempts
            given_up = delivery.status is Status.FAILED and delivery.attempts >= max_attempts
            self.outcome(delivery.recipient, Status.GIVEN_UP if given_up else delivery.status,
                         reply or delivery.last_error or "")

    def unreachable(self, delivery: Delivery, exc: ConnectionFailed) -> None:
        """The server, not this recipient: no attempt is counted, and nothing more is tried in
        this run (a thousand 30-second timeouts help no one)."""
        delivery.status, delivery.last_error = Status.FAILED, str(exc)
        # with no attempt spent, a never-tried row must still not read "given up"
        delivery.next_attempt_at = self.run.now + backoff(1, self.run.options.retries.base_minutes)

    def transaction(self, delivery: Delivery, message: EmailMessage) -> str | None:
        """Hand ``message`` to the server; ``delivery`` says how it went (sent or failed, with
        its next attempt). Returns the server's acceptance reply, None when it failed."""
        run = self.run
        assert self.mailer is not None
        try:
            try:
                reply = self.mailer.send(message)
            except (ConnectionFailed, DeliveryError):
                raise
            except Exception as exc:  # noqa: BLE001 - never leave the row "sending"
                # the type only: the text of an unexpected error may quote a credential
                raise DeliveryError(f"{type(exc).__name__} while sending") from None
        except ConnectionFailed as exc:
            self.unreachable(delivery, exc)
            return None
        except DeliveryError as exc:
            delivery.status, delivery.attempts = Status.FAILED, delivery.attempts + 1
            delivery.last_error = str(exc)
            delivery.next_attempt_at = run.now + backoff(delivery.attempts,
                                                         run.options.retries.base_minutes)
            return None
        delivery.status, delivery.attempts = Status.SENT, delivery.attempts + 1
        delivery.last_error = delivery.next_attempt_at = None
        return reply


def _view_url(con: duckdb.DuckDBPyConnection | None, portal_url: str | None,
              key: tuple[str, str, str], now: datetime) -> str | None:
    """The portal link of one message (``key``: business, period label, recipient): a fresh
    token for this business alone, named after the recipient (``analytics access list`` shows
    them; ``revoke`` ends one). Without ``con`` (a dry run) no token is granted: the link
    shows where it would go."""
    if not portal_url:
        return None
    from analytics import access

    business_id, label, recipient = key
    if con is None:
        token = "TOKEN-GRANTED-WHEN-SENT"
    else:
        token, _ = access.grant(con, [business_id], f"email {recipient}",
                                timedelta(days=config.EMAIL_LINK_DAYS), now=now)
    return access.portal_link(portal_url, token, business_id, label)
