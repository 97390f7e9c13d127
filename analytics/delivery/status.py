"""The one vocabulary of delivery statuses: the delivery log, a run's outcomes, the CLI summary
and ``send-runs.log`` all use these words.

The values are the strings stored in ``delivery_log.status`` and written to ``send-runs.log``:
never rename one (a stored row would stop matching). A ``StrEnum`` member *is* its string, so
it goes into SQL parameters and f-strings as it is, and a row read back compares equal.
"""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    # stored in the delivery log
    NEW = "new"  # no row yet (never stored: a row is written when an attempt starts)
    SENDING = "sending"  # written just before the SMTP transaction: a crash leaves it
    SENT = "sent"
    FAILED = "failed"
    # what a run did with a delivery (its outcome), beside SENT and FAILED
    GIVEN_UP = "given_up"  # failed SEND_MAX_ATTEMPTS times: no more retries until --retry
    WAITING = "waiting"  # a failure waiting out its backoff, or not attempted this run
    ALREADY_SENT = "already_sent"
    WRITTEN = "written"  # a dry run's .eml file

    @property
    def word(self) -> str:
        """How the CLI and the run log say it: ``already sent``; failures in capitals."""
        text = self.value.replace("_", " ")
        return text.upper() if self.failing else text

    @property
    def failing(self) -> bool:
        """Whether this outcome makes the run fail (exit status 1) and is shown in red."""
        return self in (Status.FAILED, Status.GIVEN_UP)


#: The outcomes a run counts, in the order the summary and the run log name them.
OUTCOMES = (Status.SENT, Status.WRITTEN, Status.ALREADY_SENT, Status.WAITING, Status.FAILED,
            Status.GIVEN_UP)
