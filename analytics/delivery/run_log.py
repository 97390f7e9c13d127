"""``send-runs.log``: one line per run of ``send``, beside the warehouse, written whether the
run ends or stops early (a busy warehouse, SIGTERM): when, what was sent, skipped and failed,
and why."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from analytics import AnalyticsError
from analytics.delivery.status import OUTCOMES

if TYPE_CHECKING:
    from analytics.delivery.deliver import SmtpSettings
    from analytics.delivery.options import SendOptions, SendResult


def why_stopped(exc: BaseException, settings: SmtpSettings | None) -> str:
    """Why a run stopped early, in one line: the error's own text (credentials redacted), or
    only its type for an unexpected error, whose text may quote one."""
    if isinstance(exc, SystemExit):
        return f"terminated (SIGTERM; exit status {exc.code})"
    if isinstance(exc, KeyboardInterrupt):
        return "interrupted (Ctrl-C)"
    if isinstance(exc, AnalyticsError):
        return settings.redact(str(exc)) if settings else str(exc)
    return f"{type(exc).__name__} (unexpected; see the command's output)"


def append(db: Path, result: SendResult, options: SendOptions, now: datetime) -> Path:
    """Append the run's line to ``send-runs.log`` beside the warehouse ``db``."""
    path = db.parent / "send-runs.log"
    counts = result.counts
    failures = [f"{o.business_id}/{o.period}/{o.recipient}: {o.detail}" for o in
                result.outcomes if o.status.failing] + result.problems
    line = (f"{now:%Y-%m-%dT%H:%M:%SZ} as_of={options.as_of or 'local'} "
            f"dry_run={'yes' if options.dry_run else 'no'} "
            + " ".join(f"{status}={counts[status]}" for status in OUTCOMES)
            + f" problems={len(result.problems)}")
    if failures:
        line += " | " + "; ".join(failures).replace("\n", " ")
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(line + "\n")
    return path
