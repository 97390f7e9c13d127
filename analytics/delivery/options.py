"""What one run of ``send`` is asked to do (:class:`SendOptions`) and what it did
(:class:`SendResult`, one :class:`Outcome` per business, period and recipient)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from analytics import config
from analytics.delivery.deliver import SmtpSettings
from analytics.delivery.status import Status
from analytics.metrics.period import Period


@dataclass(frozen=True)
class Retries:
    """How failed deliveries are retried."""

    max_attempts: int = config.SEND_MAX_ATTEMPTS
    base_minutes: float = config.SEND_RETRY_BASE_MINUTES
    #: the operator asks (``--retry``): try every unsent delivery now, given up or not
    now: bool = False


@dataclass(frozen=True)
class SendOptions:
    """One run of ``send``: what to send, where the reports are, how to send and retry."""

    #: the businesses (None: every client business) and periods (None: what is due)
    business_ids: tuple[str, ...] | None = None
    periods: tuple[Period, ...] | None = None
    #: ``--days N`` instead of ``periods``: the N whole days before each business's as-of day
    #: (its own today without ``as_of``), the rule ``report`` and ``notebook`` follow
    days: int | None = None
    #: None: each business's today in its own timezone (at ``now``)
    as_of: date | None = None
    out: Path = config.DEFAULT_REPORTS_DIR
    #: needed unless ``dry_run``, which writes each message to ``outbox`` and records nothing
    settings: SmtpSettings | None = None
    #: the From of a dry run without ``settings``
    sender: str | None = None
    dry_run: bool = False
    outbox: Path | None = None
    #: as given to ``analytics report``, so a current report is reused, not redone
    templates: Path | None = None
    brands_dir: Path | None = None
    #: as given to ``analytics report`` (a report the other engine printed is re-rendered)
    pdf_engine: str = field(default_factory=config.pdf_engine)
    jobs: int = 1
    #: ``$ANALYTICS_PORTAL_URL``: each message carries a "View online" link
    portal_url: str | None = None
    retries: Retries = Retries()
    #: seconds to wait for the warehouse (None: :func:`analytics.config.lock_timeout`)
    wait: float | None = None
    #: the clock (tests set it)
    now: datetime | None = None


@dataclass(frozen=True)
class Outcome:
    """What happened to one (business, period, recipient) in this run."""

    business_id: str
    period: str
    recipient: str
    status: Status  # one of OUTCOMES
    detail: str = ""


@dataclass
class SendResult:
    outcomes: list[Outcome] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # businesses that could not be sent
    run_log: Path | None = None

    @property
    def counts(self) -> Counter[Status]:
        return Counter(o.status for o in self.outcomes)

    @property
    def ok(self) -> bool:
        return not self.problems and not any(o.status.failing for o in self.outcomes)
