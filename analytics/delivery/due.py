"""Which periods are due for a business, when ``send`` is given none:

* the last complete ISO week, the first time a business is sent anything;
* after that, every week of the last ``SEND_CATCH_UP_WEEKS`` that has no delivery yet (the
  machine was off last Monday: the next run sends both weeks), and every week whose failed
  deliveries are due for a retry. A recipient added later receives reports from then on, not
  the backlog.
* a business whose ``cadence`` is ``monthly`` gets calendar months instead of weeks (the last
  ``SEND_CATCH_UP_MONTHS`` caught up).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime

from analytics import config
from analytics.delivery.deliver import Delivery
from analytics.metrics.period import Period


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
