"""A real SMTP server (aiosmtpd) on 127.0.0.1 for the tests that send: it keeps what it
accepts, and can refuse a recipient, hang up during DATA, or hold a message until told to let
it go (a send blocked mid-transaction). ``conftest.py`` offers it as the ``smtp`` fixture."""

from __future__ import annotations

import asyncio
import contextlib
import email
import shutil
import socket
import threading
from collections.abc import Iterator
from email import policy
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

from analytics import warehouse
from analytics.delivery.deliver import SmtpSettings

SENDER = "reports@agency.example"


class Server:
    """The handler: what the server accepted, and what it is told to do."""

    def __init__(self) -> None:
        self.accepted: list[email.message.EmailMessage] = []
        #: (MAIL FROM, RCPT TOs, raw content) of each accepted message
        self.envelopes: list[tuple[str, list[str], bytes]] = []
        self.refuse: set[str] = set()  # refuse these recipients (once each)
        self.hang_up: set[str] = set()  # drop the connection during DATA for these (once each)
        #: when set, DATA waits until ``release`` is set; ``holding`` says a message waits
        self.gate: threading.Event | None = None
        self.holding = threading.Event()
        self.settings: SmtpSettings | None = None
        self.env: dict[str, str] = {}

    def hold(self) -> threading.Event:
        """Make DATA wait from now on; set the returned event to let messages through."""
        self.gate = threading.Event()
        return self.gate

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address in self.refuse:
            self.refuse.discard(address)
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        for rcpt in envelope.rcpt_tos:
            if rcpt in self.hang_up:
                self.hang_up.discard(rcpt)
                server.transport.close()
                return "421 closing"
        if self.gate is not None:
            self.holding.set()
            while not self.gate.is_set():  # poll: a blocking wait would stall the event loop
                await asyncio.sleep(0.05)
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        self.accepted.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 2.0.0 queued as TEST"

    def to(self, recipient: str) -> list[email.message.EmailMessage]:
        return [m for m in self.accepted if m["To"] == recipient]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def smtp_server(handler: Server | None = None, **controller: Any) -> Iterator[Server]:
    """A running server on a free port of 127.0.0.1, stopped on exit. ``handler.settings`` and
    ``handler.env`` (the ``SMTP_*`` variables) point at it, without a login; ``controller``
    goes to aiosmtpd's Controller (an authenticator, say)."""
    handler = handler or Server()
    server = Controller(handler, hostname="127.0.0.1", port=free_port(), **controller)
    server.start()
    handler.settings = SmtpSettings(host="127.0.0.1", port=server.port, sender=SENDER,
                                    tls="none")
    handler.env = {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(server.port), "SMTP_TLS": "none",
                   "SMTP_FROM": SENDER}
    try:
        yield handler
    finally:
        if handler.gate is not None:
            handler.gate.set()  # never leave a connection waiting in the loop being stopped
        server.stop()


def demo_with_recipients(demo_path: Path, tmp_path: Path, *addresses: str) -> Path:
    """A copy of the demo warehouse in ``tmp_path`` where lumen-books' recipients are
    ``addresses`` (the send tests write to it; the session's demo stays untouched)."""
    path = tmp_path / "warehouse.duckdb"
    shutil.copy(demo_path, path)
    con = warehouse.connect(path)
    try:
        con.execute("UPDATE businesses SET recipients = ? WHERE business_id = 'lumen-books'",
                    [list(addresses)])
    finally:
        con.close()
    return path
