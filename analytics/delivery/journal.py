"""The sent journal: a message the mail server accepted, on disk before anything else happens.

``send`` records each accepted message in the warehouse's delivery log, in a writer session
of its own. That session may have to wait for the warehouse (an ingest holding it), and a
process can be killed while it waits (systemd's SIGKILL 90 s after a stop, ``kill -9``, a
power cut): the row would stay ``sending`` and the next run would send the message again.
So the moment the server accepts a message, one line saying so is appended to
``<warehouse>.sent.journal`` and flushed to disk (fsync), before the run waits for anything.
The next run, under the senders' lock, first copies every line into the delivery log (the
same row a normal record writes; doing it twice changes nothing) and then removes the file.
A run that recorded every message it journaled removes the file itself when it ends.

Only the holder of the senders' lock (``<warehouse>.send.lock``) writes or reads it, so it
needs no lock of its own. What is left: a kill in the microseconds between the server's 250
and the fsync.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb
import orjson

from analytics.delivery.deliver import Delivery, record
from analytics.delivery.status import Status


def journal_path(db: str | Path) -> Path:
    """``<db>.sent.journal`` beside the warehouse (beside ``<db>.send.lock``)."""
    db = Path(db)
    return db.with_name(db.name + ".sent.journal")


@dataclass(frozen=True)
class Entry:
    """One accepted message: the delivery as recorded ``sent``, and the server's reply."""

    business_id: str
    period: str
    recipient: str
    attempts: int
    message_id: str | None
    reply: str | None
    at: datetime

    def delivery(self) -> Delivery:
        return Delivery(self.business_id, self.period, self.recipient, Status.SENT,
                        self.attempts, None, None, self.message_id)


class SentJournal:
    def __init__(self, db: str | Path) -> None:
        self.path = journal_path(db)
        self.unrecorded = 0  # lines this run wrote whose warehouse record is not yet done
        self.replayed = False  # the lines of earlier runs are in the warehouse: see clear()

    def append(self, delivery: Delivery, reply: str | None, at: datetime) -> None:
        """Add one accepted message and wait until it is on disk."""
        line = orjson.dumps({
            "business_id": delivery.business_id, "period": delivery.period,
            "recipient": delivery.recipient, "attempts": delivery.attempts,
            "message_id": delivery.message_id, "reply": reply, "at": at.isoformat(),
        }) + b"\n"
        created = not self.path.exists()
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            os.write(fd, line)
            os.fsync(fd)
        finally:
            os.close(fd)
        if created:  # the new file's name must survive a power cut too: its folder, synced
            folder = os.open(self.path.parent, os.O_RDONLY)
            try:
                os.fsync(folder)
            finally:
                os.close(folder)
        self.unrecorded += 1

    def recorded(self) -> None:
        """One journaled message is now in the warehouse too."""
        self.unrecorded -= 1

    def entries(self) -> tuple[list[Entry], int]:
        """The journal's entries, and how many lines could not be read (a line cut short by a
        crash while it was being written: its message may have been accepted, so the caller
        says so)."""
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return [], 0
        entries, unreadable = [], 0
        for line in data.splitlines():
            try:
                fields = orjson.loads(line)
                entries.append(Entry(
                    fields["business_id"], fields["period"], fields["recipient"],
                    int(fields["attempts"]), fields["message_id"], fields["reply"],
                    datetime.fromisoformat(fields["at"])))
            except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
                unreadable += 1
        return entries, unreadable

    def replay(self, con: duckdb.DuckDBPyConnection) -> tuple[list[Entry], int]:
        """Record every journaled message ``sent`` in the delivery log (inside the caller's
        writer session). Returns the entries and the count of unreadable lines."""
        entries, unreadable = self.entries()
        for entry in entries:
            record(con, entry.delivery(), entry.at, reply=entry.reply)
        return entries, unreadable

    def clear(self) -> None:
        """Remove the journal: call once its entries are committed to the warehouse."""
        self.path.unlink(missing_ok=True)
        self.unrecorded, self.replayed = 0, True

    def finish(self) -> None:
        """At the end of a run: remove the journal when everything in it is in the warehouse
        (the earlier runs' lines replayed, and every line of this run recorded)."""
        if self.replayed and not self.unrecorded:
            self.clear()
