"""Emailing each business its report: once per (business, period, recipient), never twice.

* **The delivery log** (table ``delivery_log``) holds one row per (business, period,
  recipient): status (:class:`~analytics.delivery.status.Status`), attempts, last error, our
  ``Message-ID`` and the server's reply. A row marked ``sent`` is never sent again, however
  often ``analytics send`` runs.
* **Retries with backoff.** A failed delivery waits ``SEND_RETRY_BASE_MINUTES × 2^(n−1)``
  before its next attempt; after ``SEND_MAX_ATTEMPTS`` failures it is given up and reported
  loudly on every run (exit status 1) until ``--retry`` resets it.
* **Crash safety.** A row is marked ``sending`` before the SMTP transaction and ``sent`` after
  it. If the process dies in between, the next run sends again with the *same* Message-ID
  (derived from business, period and recipient), which mail systems use to drop duplicates:
  a crash can cost a duplicate that clients hide, never a lost report.
* **One message per recipient**, so no recipient sees another's address; a recipient the
  server refuses, or a dropped connection, fails that recipient only (the connection is
  re-opened for the rest).
* **Headers are safe by construction**: names and addresses are checked (no line breaks, one
  plain address each) and the message is built with the ``email`` package's strict SMTP
  policy, which refuses any header that would smuggle a line break.
* SMTP settings come from the environment only (``SMTP_HOST``, ``SMTP_PORT``, ``SMTP_USER``,
  ``SMTP_PASSWORD``, ``SMTP_FROM``, ``SMTP_TLS`` = starttls | ssl | none); the password is
  never printed or logged.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email import policy
from email.errors import HeaderParseError
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import duckdb

from analytics import AnalyticsError, config
from analytics.delivery.email_text import set_subject, top_message
from analytics.delivery.status import Status
from analytics.warehouse import sql

TLS_MODES = ("starttls", "ssl", "none")
#: The query files the delivery log uses (the registry test checks none is orphaned).
DELIVERY_QUERIES = ("delivery_rows", "delivery_record")
#: Characters that break a header line: the ASCII controls and every other line separator
#: Python's str.splitlines() knows (NEL, the Unicode line and paragraph separators).
_CONTROL = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]")


# --- settings and checks ------------------------------------------------------------------------


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to send; built from the environment only."""

    host: str
    port: int
    sender: str
    tls: str = "starttls"
    user: str | None = None
    password: str | None = field(default=None, repr=False)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> SmtpSettings:
        env = os.environ if env is None else env
        missing = [k for k in ("SMTP_HOST", "SMTP_FROM") if not env.get(k, "").strip()]
        if missing:
            raise AnalyticsError(
                f"set {' and '.join(missing)} in the environment to send email (or use "
                "--dry-run to write the messages to an outbox instead)"
            )
        tls = env.get("SMTP_TLS", "starttls").strip().lower() or "starttls"
        if tls not in TLS_MODES:
            raise AnalyticsError(f"SMTP_TLS must be one of {', '.join(TLS_MODES)}, not {tls!r}")
        user = env.get("SMTP_USER", "").strip() or None
        password = env.get("SMTP_PASSWORD") or None
        if password and not user:
            # without a user there is no login: the server would refuse every message (530)
            raise AnalyticsError("SMTP_PASSWORD is set but SMTP_USER is not: set SMTP_USER "
                                 "too (or unset SMTP_PASSWORD for a relay without login)")
        if user and not password:
            raise AnalyticsError(f"SMTP_USER is set but SMTP_PASSWORD is not: set "
                                 f"SMTP_PASSWORD for {user} (or unset SMTP_USER)")
        default_port = {"starttls": 587, "ssl": 465, "none": 25}[tls]
        try:
            port = int(env.get("SMTP_PORT", "").strip() or default_port)
        except ValueError:
            raise AnalyticsError(f"SMTP_PORT must be a number, not {env['SMTP_PORT']!r}") from None
        return cls(
            host=env["SMTP_HOST"].strip(),
            port=port,
            sender=check_sender(env["SMTP_FROM"]),
            tls=tls,
            user=user,
            password=password,
        )

    def describe(self) -> str:
        """For messages and logs: never includes the password."""
        who = f" as {self.user}" if self.user else ""
        return f"{self.host}:{self.port} ({self.tls}){who}"

    def redact(self, text: str) -> str:
        """``text`` with the password blanked out, the last guard before a message is shown or
        logged (a server that echoes what it was sent, say)."""
        if self.password and len(self.password) >= 4:
            text = text.replace(self.password, "[password]")
        return text


def check_address(address: str, what: str = "recipient") -> str:
    """One plain address (``name@example.com``, lower-cased: mailboxes do not differ by case in
    practice, and one mailbox must get one message), or an AnalyticsError saying what is
    wrong."""
    if not isinstance(address, str) or _CONTROL.search(address) or not address.strip():
        raise AnalyticsError(f"{what} {address!r} is not an email address (line break or empty)")
    if not address.isascii():
        raise AnalyticsError(f"{what} {address!r} {config.NON_ASCII_ADDRESS}")
    try:
        parsed = Address(addr_spec=address.strip())
    except (ValueError, IndexError, TypeError, HeaderParseError) as exc:
        raise AnalyticsError(f"{what} {address!r} is not an email address ({exc})") from None
    if not re.fullmatch(config.EMAIL_PATTERN, parsed.addr_spec):
        raise AnalyticsError(f"{what} {address!r} is not an email address")
    return parsed.addr_spec.lower()


def check_sender(text: str, what: str = "SMTP_FROM") -> str:
    """The From header: a plain address, or one with a display name (``Acme Agency
    <reports@acme.example>``), checked like a recipient; the name may hold no line break."""
    if not isinstance(text, str) or _CONTROL.search(text) or not text.strip():
        raise AnalyticsError(f"{what} {text!r} is not an email address (line break or empty)")
    text = text.strip()
    match = re.fullmatch(r"(.*?)\s*<([^<>]+)>", text)
    if not match:
        return check_address(text, what)
    name, address = match[1].strip().strip('"').strip(), check_address(match[2], what)
    return str(Address(display_name=name, addr_spec=address)) if name else address


def address_of(sender: str) -> str:
    """The bare address of a From value (for the SMTP envelope and the Message-ID)."""
    match = re.fullmatch(r".*<([^<>]+)>\s*", sender)
    return match[1] if match else sender


def check_name(name: str) -> str:
    """A business name fit for a Subject line: no line breaks or control characters."""
    if _CONTROL.search(name):
        raise AnalyticsError(f"business name {name!r} contains a line break or control "
                             "character; fix it in the businesses file before sending")
    return name


def message_id(business_id: str, period: str, recipient: str, sender: str) -> str:
    """The same Message-ID for every attempt at one delivery: duplicates are recognisable."""
    digest = hashlib.sha256(recipient.lower().encode()).hexdigest()[:16]
    domain = address_of(sender).rpartition("@")[2] or "analytics.invalid"
    return f"<{business_id}.{period}.{digest}@{domain}>"


# --- the message ---------------------------------------------------------------------------------


def subject(report: Mapping[str, Any]) -> str:
    """``Harbour Yoga Studio: your report for 16–22 Nov 2026``: one space between words
    (a name's runs of spaces are closed up)."""
    from analytics.render import fmt_range

    period = report["period"]
    name = " ".join(check_name(report["business"]["name"]).split())
    return f"{name}: your report for {fmt_range(period['start'], period['end'])}"


@dataclass(frozen=True)
class Extras:
    """What a message may have beyond the defaults: the operator's templates folder (as given
    to ``analytics report``) and the recipient's "View online" link to the portal."""

    templates: Path | None = None
    view_url: str | None = None


def compose(
    report: Mapping[str, Any],
    recipient: str,
    pdf: bytes,
    sender: str,
    when: datetime,
    extras: Extras = Extras(),
) -> EmailMessage:
    """The email for one recipient: a text and an HTML body (the headline numbers and the top
    recommendation, inline CSS, no script), a "View online" link to the portal when
    ``extras.view_url`` is given, and the PDF attached."""
    from analytics.render import environment

    env = environment(extras.templates)
    context = {"report": report, "top": top_message(report), "view_url": extras.view_url,
               "link_days": config.EMAIL_LINK_DAYS}
    business, period = report["business"], report["period"]
    message = EmailMessage(policy=policy.SMTP)
    message["From"] = sender
    message["To"] = check_address(recipient)
    set_subject(message, subject(report))
    message["Date"] = format_datetime(when)
    message["Message-ID"] = message_id(business["business_id"], period["label"], recipient,
                                       sender)
    message["X-Analytics-Report"] = f"{business['business_id']} {period['label']}"
    message.set_content(env.get_template("email.txt.j2").render(context))
    message.add_alternative(env.get_template("email.html.j2").render(context), subtype="html")
    message.add_attachment(
        pdf, maintype="application", subtype="pdf",
        filename=f"{business['business_id']}-{period['label']}.pdf",
    )
    return message


# --- SMTP -----------------------------------------------------------------------------------------


class DeliveryError(Exception):
    """One recipient could not be delivered (the message says why, for the log)."""


class ConnectionFailed(DeliveryError):
    """The server could not be reached or logged in to: no recipient's fault."""


#: Replies that say the login, not the recipient, is wrong (RFC 4954): they stop the run.
AUTH_REPLY_CODES = (530, 534, 535, 538)


def login(smtp: smtplib.SMTP, user: str, password: str) -> None:
    """Log in with the first mechanism both sides know (PLAIN, LOGIN, CRAM-MD5), encoding the
    credentials as UTF-8, as RFC 4954 and RFC 4616 require (``smtplib`` encodes them as ASCII
    and fails on ``é``, naming the character and its position). Raises ConnectionFailed with
    a message that holds no part of the password."""
    if not smtp.has_extn("auth"):
        raise ConnectionFailed("the server offers no login (AUTH) on this connection; check "
                               "SMTP_TLS and SMTP_PORT, or unset SMTP_USER and SMTP_PASSWORD")
    offered = smtp.esmtp_features["auth"].upper().split()
    secret = password.encode("utf-8")

    def b64(data: bytes) -> str:
        return base64.b64encode(data).decode("ascii")

    if "PLAIN" in offered:
        code, reply = smtp.docmd("AUTH", "PLAIN " + b64(b"\0" + user.encode() + b"\0" + secret))
    elif "LOGIN" in offered:
        code, reply = smtp.docmd("AUTH", "LOGIN " + b64(user.encode()))
        if code == 334:
            code, reply = smtp.docmd(b64(secret))
    elif "CRAM-MD5" in offered:
        code, reply = smtp.docmd("AUTH", "CRAM-MD5")
        if code == 334:
            digest = hmac.new(secret, base64.b64decode(reply), "md5").hexdigest()
            code, reply = smtp.docmd(b64(f"{user} {digest}".encode()))
    else:
        raise ConnectionFailed(f"the server offers only {' '.join(offered)} for login, which "
                               "this program does not speak (PLAIN, LOGIN or CRAM-MD5)")
    if code == 334:  # a mechanism wanting more than we answer: cancel it (RFC 4954)
        code, reply = smtp.docmd("*")
    if code not in (235, 503):  # 503: already logged in
        text = reply.decode("utf-8", errors="replace").replace(password, "[password]")
        raise ConnectionFailed(f"login as {user} refused: {code} {text}; check SMTP_USER and "
                               "SMTP_PASSWORD")


class Mailer:
    """One SMTP connection, opened when first needed and re-opened after a drop."""

    def __init__(self, settings: SmtpSettings, timeout: float = 30.0):
        self.settings = settings
        self.timeout = timeout
        self._smtp: smtplib.SMTP | None = None
        #: why the server could not be reached, once it could not (the run stops sending)
        self.unreachable: str | None = None

    def __enter__(self) -> Mailer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        context = ssl.create_default_context()
        try:
            if s.tls == "ssl":
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(s.host, s.port, timeout=self.timeout,
                                                      context=context)
            else:
                smtp = smtplib.SMTP(s.host, s.port, timeout=self.timeout)
                if s.tls == "starttls":
                    smtp.starttls(context=context)
            smtp.ehlo_or_helo_if_needed()  # the low-level mail()/rcpt() below do not
            if s.user:
                login(smtp, s.user, s.password or "")
        except ConnectionFailed as exc:
            self.unreachable = s.redact(f"cannot log in to {s.describe()}: {exc}")
            raise ConnectionFailed(self.unreachable) from None
        except (OSError, smtplib.SMTPException, ValueError) as exc:
            self.unreachable = s.redact(f"cannot connect to {s.describe()}: {exc}")
            raise ConnectionFailed(self.unreachable) from None
        return smtp

    def ready(self) -> None:
        """Connect (and log in) now unless connected: raises ConnectionFailed. Called before a
        delivery is marked ``sending``, so a server that cannot be used leaves no trace."""
        if self.unreachable:
            raise ConnectionFailed(self.unreachable)
        if self._smtp is None:
            self._smtp = self._connect()

    def close(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (OSError, smtplib.SMTPException):
                self._smtp.close()
            self._smtp = None

    def send(self, message: EmailMessage) -> str:
        """Send to the message's single recipient; returns the server's acceptance reply.

        A connection found closed *before* the message was handed over (an idle server hung
        up between messages) is re-opened once. A connection lost *while* handing it over fails
        this delivery: the server may or may not have taken it, and the next run's retry with
        the same Message-ID is the safe way to find out.
        """
        for attempt in (1, 2):
            if self._smtp is None:
                self._smtp = self._connect()
            try:
                return self._transaction(self._smtp, message)
            except _ClosedBeforeData as exc:
                self._smtp = None
                if attempt == 2:
                    raise DeliveryError(f"the server closed the connection: {exc}") from None
            except smtplib.SMTPServerDisconnected as exc:
                self._smtp = None
                raise DeliveryError(f"the connection dropped while sending: {exc}") from None
            except ConnectionFailed:
                self.close()
                raise
            except (OSError, smtplib.SMTPException) as exc:
                self.close()
                raise DeliveryError(self.settings.redact(str(exc))) from None
        raise AssertionError("unreachable")

    def _transaction(self, smtp: smtplib.SMTP, message: EmailMessage) -> str:
        recipient = message["To"]
        try:
            code, reply = smtp.mail(address_of(self.settings.sender))
            self._check_auth(code, reply)
            if code != 250:
                smtp.rset()
                raise DeliveryError(f"sender refused: {code} {reply.decode(errors='replace')}")
            code, reply = smtp.rcpt(recipient)
        except smtplib.SMTPServerDisconnected as exc:
            raise _ClosedBeforeData(str(exc)) from None
        self._check_auth(code, reply)
        if code not in (250, 251):
            smtp.rset()
            raise DeliveryError(f"recipient refused: {code} {reply.decode(errors='replace')}")
        code, reply = smtp.data(message.as_bytes())
        if code != 250:
            raise DeliveryError(f"message refused: {code} {reply.decode(errors='replace')}")
        return f"{code} {reply.decode(errors='replace')}"


    def _check_auth(self, code: int, reply: bytes) -> None:
        """A reply that says a login is needed or was refused is the server's configuration,
        not this recipient's fault: the run stops sending and counts no attempt."""
        if code in AUTH_REPLY_CODES:
            hint = ("set SMTP_USER and SMTP_PASSWORD" if not self.settings.user
                    else "check SMTP_USER and SMTP_PASSWORD")
            self.unreachable = self.settings.redact(
                f"{self.settings.describe()} requires a login: {code} "
                f"{reply.decode(errors='replace')}; {hint}")
            raise ConnectionFailed(self.unreachable)


class _ClosedBeforeData(Exception):
    """The connection was gone before the message was handed over: safe to reconnect."""


# --- the delivery log ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Hold:
    """Why a delivery is not attempted now: its outcome status and the reason in words."""

    status: Status  # ALREADY_SENT, GIVEN_UP or WAITING
    reason: str


@dataclass
class Delivery:
    """One (business, period, recipient) and what the log says about it."""

    business_id: str
    period: str
    recipient: str
    status: Status = Status.NEW  # NEW | SENDING | SENT | FAILED
    attempts: int = 0
    last_error: str | None = None
    next_attempt_at: datetime | None = None
    message_id: str | None = None

    def due(self, now: datetime, max_attempts: int) -> Hold | None:
        """Why this delivery is *not* to be attempted now, or None when it is."""
        if self.status is Status.SENT:
            return Hold(Status.ALREADY_SENT, "already sent")
        if self.status is Status.FAILED and self.attempts >= max_attempts:
            return Hold(Status.GIVEN_UP, "given up")
        if self.status is Status.FAILED and self.next_attempt_at and self.next_attempt_at > now:
            return Hold(Status.WAITING, f"retry after {self.next_attempt_at:%Y-%m-%d %H:%M} UTC")
        return None


def load_log(con: duckdb.DuckDBPyConnection, business_ids: list[str]) -> dict[tuple, Delivery]:
    rows = sql.records(con, "delivery_rows", business_ids=business_ids)
    return {
        (r["business_id"], r["period"], r["recipient"]): Delivery(
            r["business_id"], r["period"], r["recipient"], Status(r["status"]), r["attempts"],
            r["last_error"], r["next_attempt_at"], r["message_id"],
        )
        for r in rows
    }


def record(con: duckdb.DuckDBPyConnection, delivery: Delivery, now: datetime,
           reply: str | None = None, report_sha256: str | None = None) -> None:
    """Write a delivery's state; committed at once (a crash must not lose it)."""
    sql.execute(
        con, "delivery_record",
        business_id=delivery.business_id, period=delivery.period, recipient=delivery.recipient,
        status=delivery.status, attempts=delivery.attempts, last_error=delivery.last_error,
        message_id=delivery.message_id, smtp_reply=reply, report_sha256=report_sha256,
        now=now, next_attempt_at=delivery.next_attempt_at,
        sent_at=now if delivery.status is Status.SENT else None,
    )


def backoff(attempts: int, base_minutes: float) -> timedelta:
    return timedelta(minutes=base_minutes * 2 ** max(attempts - 1, 0))
