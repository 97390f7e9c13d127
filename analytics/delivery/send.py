"""The weekly job: find what is due, render what is missing or stale, deliver, log the run.

Which periods are due for a business (when no period is named):

* the last complete ISO week, the first time a business is sent anything;
* after that, every week of the last ``SEND_CATCH_UP_WEEKS`` that has no delivery yet (the
  machine was off last Monday: the next run sends both weeks), and every week whose failed
  deliveries are due for a retry. A recipient added later receives reports from then on, not
  the backlog.
* a business whose ``cadence`` is ``monthly`` gets calendar months instead of weeks (the last
  ``SEND_CATCH_UP_MONTHS`` caught up).

Rendering a report computes its history; the job stores it (``business_metrics``), as
``analytics report`` does.

Reports are rendered through the normal batch (``analytics.render.batch``), which skips a business
whose report is current, so sending never re-renders for nothing and never sends a stale PDF.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import orjson

from analytics import AnalyticsError, config
from analytics.delivery.deliver import (
    ConnectionFailed,
    Delivery,
    DeliveryError,
    Mailer,
    SmtpSettings,
    backoff,
    check_address,
    check_name,
    compose,
    load_log,
    message_id,
    record,
)
from analytics.metrics.history import store as store_history
from analytics.metrics.period import CADENCES, Period, local_today
from analytics.report import atomic_write, report_dir
from analytics.warehouse.businesses import Business, list_businesses


@dataclass(frozen=True)
class Outcome:
    """What happened to one (business, period, recipient) in this run."""

    business_id: str
    period: str
    recipient: str
    status: str  # sent | failed | given_up | waiting | already_sent | written (dry run)
    detail: str = ""


@dataclass
class SendResult:
    outcomes: list[Outcome] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # businesses that could not be sent
    run_log: Path | None = None

    @property
    def counts(self) -> Counter:
        return Counter(o.status for o in self.outcomes)

    @property
    def ok(self) -> bool:
        return not self.problems and not any(o.status in ("failed", "given_up")
                                             for o in self.outcomes)


def due_periods(
    rows: Sequence[Delivery],
    as_of: date,
    now: datetime,
    max_attempts: int = config.SEND_MAX_ATTEMPTS,
    kind: str = "week",
) -> list[Period]:
    """The periods to send a business now (oldest first), from its delivery-log ``rows``:
    ISO weeks, or calendar months for ``kind="month"`` (a monthly cadence); see the module
    docstring."""
    last = Period.last_complete(kind, as_of)
    recent = last.series(config.SEND_CATCH_UP_MONTHS if kind == "month"
                         else config.SEND_CATCH_UP_WEEKS)
    if not rows:
        return [last]
    first = min((p for p in (_of_kind(d.period, kind) for d in rows) if p),
                key=lambda p: p.start, default=last)
    due = []
    for period in recent:
        mine = [d for d in rows if d.period == period.label]
        if not mine:
            if period.start >= first.start:
                due.append(period)  # a period the scheduler missed
        elif any(d.due(now, max_attempts) is None for d in mine):
            due.append(period)  # failed deliveries ready for a retry
    return due


def _of_kind(label: str, kind: str) -> Period | None:
    """The period a delivery-log label names, if it is of ``kind`` (week or month)."""
    pattern = r"\d{4}-W\d{2}" if kind == "week" else r"\d{4}-\d{2}"
    return Period.parse(label) if re.fullmatch(pattern, label) else None


def _safe_name(recipient: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", recipient.replace("@", "_at_"))


def send(
    con: duckdb.DuckDBPyConnection,
    business_ids: Sequence[str] | None,
    *,
    as_of: date | None = None,
    out: Path,
    periods: Sequence[Period] | None = None,
    settings: SmtpSettings | None = None,
    sender: str | None = None,
    dry_run: bool = False,
    outbox: Path | None = None,
    templates: Path | None = None,
    brands_dir: Path | None = None,
    jobs: int = 1,
    now: datetime | None = None,
    max_attempts: int = config.SEND_MAX_ATTEMPTS,
    retry_base_minutes: float = config.SEND_RETRY_BASE_MINUTES,
    retry_now: bool = False,
    on_outcome: Callable[[Outcome], None] | None = None,
    portal_url: str | None = None,
) -> SendResult:
    """Deliver the reports of ``business_ids`` (all when None) for ``periods`` (the due weeks
    when None). ``con`` must be writable (the delivery log); ``settings`` is needed unless
    ``dry_run``, which writes each message to ``outbox`` and records nothing.

    Without ``as_of``, each business's as-of day is today in its own timezone (at ``now``), so
    its due weeks and whether a week is complete are judged there, not on the server's clock.
    A period still under way (its last day not before the as-of day) is refused: a weekly
    report sent on Sunday morning would miss Sunday, and once marked sent never be sent whole.
    With ``as_of`` given, that refusal stops the run; without it, it costs only the businesses
    for which the period is still under way.
    Reports are rendered with the same formats, templates and brand as ``analytics report``,
    so a current report is reused, not redone in a different look.

    With ``portal_url`` (``$ANALYTICS_PORTAL_URL``), each message carries a "View online" link
    holding a token of its own for that one business, valid ``config.EMAIL_LINK_DAYS`` days
    (a dry run shows where the token goes and grants none).
    """
    from analytics.render.batch import RenderOptions, run_batch

    now = now or datetime.now(UTC)
    if not dry_run and settings is None:
        raise AnalyticsError("no SMTP settings: set SMTP_HOST and SMTP_FROM, or use --dry-run")
    for period in periods or ():
        if as_of is not None and not period.is_complete(as_of):
            raise AnalyticsError(
                f"period {period.label} ends on {period.end}, not before the as-of date "
                f"{as_of}: it is still under way; send it once it has ended"
            )
    # a dry run writes the message a real run would send: same From, same Message-ID; it
    # never invents a From address
    sender = settings.sender if settings else sender
    if not sender:
        raise AnalyticsError("set SMTP_FROM (e.g. 'Acme Agency <reports@acme.example>'): a dry "
                             "run writes the messages a real run would send, From included")
    outbox = outbox or Path(out) / "outbox"
    result = SendResult()
    businesses = list_businesses(con, business_ids, clients_only=True)
    log = load_log(con, [b.business_id for b in businesses])
    if retry_now:  # the operator asks: try every unsent delivery now, given up or not
        for delivery in log.values():
            if delivery.status != "sent":
                delivery.attempts, delivery.next_attempt_at = 0, None

    def emit(outcome: Outcome) -> None:
        result.outcomes.append(outcome)
        if on_outcome:
            on_outcome(outcome)

    by_business: dict[str, list[Delivery]] = {}  # the log read once, not once per business
    for delivery in log.values():
        by_business.setdefault(delivery.business_id, []).append(delivery)
    # (period label, as-of day) → businesses due that period; businesses of one timezone
    # band share an as-of day, so a batch still renders many reports from one snapshot
    wanted: dict[tuple[str, date], list[Business]] = {}
    labels: dict[str, Period] = {}
    for business in businesses:
        rows = by_business.get(business.business_id, [])
        day = as_of if as_of is not None else local_today(business.timezone, now)
        kind = CADENCES.get(business.cadence, "week")
        for period in periods or due_periods(rows, day, now, max_attempts, kind):
            if not period.is_complete(day):  # only an explicit period, without --as-of
                result.problems.append(
                    f"{business.business_id} {period.label}: still under way in "
                    f"{business.timezone} (it is {day} there); sent once it has ended")
                continue
            wanted.setdefault((period.label, day), []).append(business)
            labels[period.label] = period
    in_run = {(b.business_id, label) for (label, _), group in wanted.items() for b in group}
    # deliveries given up long ago stay loud on every run, whatever the period asked for
    for (business_id, label, recipient), delivery in sorted(log.items()):
        if (business_id, label) in in_run:
            continue
        reason = delivery.due(now, max_attempts)
        if reason == "given up":
            emit(Outcome(business_id, label, recipient, "given_up",
                         f"after {delivery.attempts} attempts: {delivery.last_error}"))
        elif reason is not None and reason.startswith("retry after"):
            # a failed delivery waiting out its backoff is counted: "0 waiting" would hide it
            emit(Outcome(business_id, label, recipient, "waiting",
                         f"{reason} ({delivery.last_error})"))

    mailer = None if dry_run else Mailer(settings)  # type: ignore[arg-type]
    options = RenderOptions(out=Path(out), templates=templates, brands_dir=brands_dir)
    try:
        for label, day in sorted(wanted):
            period = labels[label]
            group = wanted[(label, day)]
            rendered = run_batch(con, [b.business_id for b in group], period, day, options,
                                 jobs=jobs)
            if not dry_run:  # a dry run records nothing
                store_history(con, rendered.history_rows)
            failed_render = {o.business_id: o.error for o in rendered.outcomes
                             if o.status == "failed"}
            for business in group:
                if business.business_id in failed_render:
                    result.problems.append(f"{business.business_id} {label}: report could not "
                                           f"be rendered: {failed_render[business.business_id]}")
                    continue
                try:
                    _deliver_business(con, business, period, Path(out), log, now, sender,
                                      dry_run, outbox, mailer, templates, max_attempts,
                                      retry_base_minutes, emit, result, portal_url)
                except (AnalyticsError, ValueError, OSError) as exc:  # one business, not all
                    problem = f"{business.business_id} {label}: {exc}"
                    result.problems.append(settings.redact(problem) if settings else problem)
    finally:
        if mailer is not None:
            mailer.close()
    result.run_log = _append_run_log(con, result, as_of, now, dry_run)
    return result


def _deliver_business(
    con: duckdb.DuckDBPyConnection, business: Business, period: Period, out: Path,
    log: dict[tuple, Delivery], now: datetime, sender: str, dry_run: bool, outbox: Path,
    mailer: Mailer | None, templates: Path | None, max_attempts: int,
    retry_base_minutes: float, emit: Callable[[Outcome], None], result: SendResult,
    portal_url: str | None = None,
) -> None:
    business_id = business.business_id
    try:
        check_name(business.name)
    except AnalyticsError as exc:
        result.problems.append(f"{business_id}: {exc}")
        return
    # one message per mailbox: addresses compare without regard to case. A malformed or
    # internationalised address (non-ASCII: this sender does not speak SMTPUTF8) is refused
    # for that recipient alone; the business's other recipients still get their message.
    recipients: list[str] = []
    for address in business.recipients:
        try:
            recipients.append(check_address(address))
        except AnalyticsError as exc:
            result.problems.append(f"{business_id} {period.label}: not sent to this "
                                   f"recipient: {exc}")
    recipients = list(dict.fromkeys(recipients))
    if not recipients and not business.recipients:
        result.problems.append(f"{business_id}: no recipients; add them in the businesses file")
        return
    folder = report_dir(out, business_id, period)
    report = orjson.loads((folder / "report.json").read_bytes())
    pdf = (folder / "report.pdf").read_bytes()
    digest = hashlib.sha256(pdf).hexdigest()
    for recipient in recipients:
        key = (business_id, period.label, recipient)
        delivery = log.setdefault(key, Delivery(business_id, period.label, recipient))
        reason = delivery.due(now, max_attempts)
        if reason is not None:
            status = {"already sent": "already_sent", "given up": "given_up"}.get(reason,
                                                                                  "waiting")
            detail = f"{reason} after {delivery.attempts} attempts: {delivery.last_error}" \
                if status == "given_up" else reason
            emit(Outcome(business_id, period.label, recipient, status, detail))
            continue
        if mailer is not None and mailer.unreachable:
            emit(Outcome(business_id, period.label, recipient, "waiting",
                         f"not attempted: {mailer.unreachable}"))
            continue
        message = compose(report, recipient, pdf, sender, now, templates,
                          _view_url(con, portal_url, business_id, period, recipient, now,
                                    dry_run))
        if dry_run:
            path = outbox / business_id / period.label / f"{_safe_name(recipient)}.eml"
            atomic_write(path, message.as_bytes())
            emit(Outcome(business_id, period.label, recipient, "written", str(path)))
            continue
        delivery.message_id = message_id(business_id, period.label, recipient, sender)
        try:
            # connect and log in before the row says "sending": a server that cannot be used
            # must leave the row as it was, not "sending" with no attempt made
            mailer.ready()  # type: ignore[union-attr]
            delivery.status = "sending"
            record(con, delivery, now, report_sha256=digest)
            try:
                reply = mailer.send(message)  # type: ignore[union-attr]
            except (ConnectionFailed, DeliveryError):
                raise
            except Exception as exc:  # noqa: BLE001 - never leave the row "sending"
                # the type only: the text of an unexpected error may quote a credential
                raise DeliveryError(f"{type(exc).__name__} while sending") from None
        except ConnectionFailed as exc:
            # the server, not this recipient: no attempt is counted, and nothing more is
            # tried in this run (a thousand 30-second timeouts help no one)
            delivery.status, delivery.last_error = "failed", str(exc)
            # with no attempt spent, a never-tried row must still not read "given up"
            delivery.next_attempt_at = now + backoff(1, retry_base_minutes)
            record(con, delivery, now)
            emit(Outcome(business_id, period.label, recipient, "failed", str(exc)))
            continue
        except DeliveryError as exc:
            delivery.status, delivery.attempts = "failed", delivery.attempts + 1
            delivery.last_error = str(exc)
            delivery.next_attempt_at = now + backoff(delivery.attempts, retry_base_minutes)
            record(con, delivery, now)
            given_up = delivery.attempts >= max_attempts
            emit(Outcome(business_id, period.label, recipient,
                         "given_up" if given_up else "failed", str(exc)))
            continue
        delivery.status, delivery.attempts = "sent", delivery.attempts + 1
        delivery.last_error = delivery.next_attempt_at = None
        record(con, delivery, now, reply=reply)
        emit(Outcome(business_id, period.label, recipient, "sent", reply))


def _view_url(con: duckdb.DuckDBPyConnection, portal_url: str | None, business_id: str,
              period: Period, recipient: str, now: datetime, dry_run: bool) -> str | None:
    """The portal link of one message: a fresh token for this business alone, named after
    the recipient (``analytics access list`` shows them; ``revoke`` ends one)."""
    if not portal_url:
        return None
    from analytics import access

    if dry_run:  # a dry run grants nothing: the link shows where the token would go
        token = "TOKEN-GRANTED-WHEN-SENT"
    else:
        token, _ = access.grant(con, [business_id], f"email {recipient}",
                                timedelta(days=config.EMAIL_LINK_DAYS), now=now)
    return access.portal_link(portal_url, token, business_id, period.label)


def _append_run_log(con: duckdb.DuckDBPyConnection, result: SendResult, as_of: date | None,
                    now: datetime, dry_run: bool) -> Path | None:
    """One line per run: when, what was sent, skipped and failed (and why)."""
    row = con.execute("SELECT file FROM pragma_database_list WHERE name = current_database()"
                      ).fetchone()
    if not row or not row[0]:
        return None
    path = Path(row[0]).parent / "send-runs.log"
    counts = result.counts
    failures = [f"{o.business_id}/{o.period}/{o.recipient}: {o.detail}" for o in
                result.outcomes if o.status in ("failed", "given_up")] + result.problems
    line = (f"{now:%Y-%m-%dT%H:%M:%SZ} as_of={as_of or 'local'} "
            f"dry_run={'yes' if dry_run else 'no'} "
            f"sent={counts['sent']} written={counts['written']} "
            f"already_sent={counts['already_sent']} waiting={counts['waiting']} "
            f"failed={counts['failed']} given_up={counts['given_up']} "
            f"problems={len(result.problems)}")
    if failures:
        line += " | " + "; ".join(failures).replace("\n", " ")
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(line + "\n")
    return path
