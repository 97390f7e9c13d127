"""The usual period-to-period change of each card's figure, and each change judged against it.

"Usual range" names one rule only: the 10th–90th percentile of the CHANGES between consecutive
equal periods (computed by :func:`analytics.metrics.snapshot.usual_range`). The history chart's
shaded band is a level, not a change, and is called "your typical weeks" (render/charts.py).
These types reach ``report.json`` as ``overview.usual_changes`` and ``overview.within_usual``.
"""

from __future__ import annotations

from dataclasses import dataclass

from analytics.records import Record


@dataclass(frozen=True)
class UsualRange(Record):
    """The business's usual period-to-period change of engagement: the 10th to 90th
    percentile of the changes between consecutive equal periods in the insights lookback
    (posts counted at a fixed age, so old and young weeks compare fairly)."""

    low: float
    high: float
    #: how many period-to-period changes it was read from
    changes: int


@dataclass(frozen=True)
class UsualChanges(Record):
    """The usual period-to-period change of each card's figure (see :class:`UsualRange`; the
    rate's in percentage points). None where there is too little history."""

    posts: UsualRange | None = None
    reach: UsualRange | None = None
    engagement: UsualRange | None = None
    engagement_rate_points: UsualRange | None = None


@dataclass(frozen=True)
class WithinUsual(Record):
    """Each card's change is inside its usual range: normal, shown grey, not red or green
    (None: no change, or no usual range to judge it by)."""

    posts: bool | None = None
    reach: bool | None = None
    engagement: bool | None = None
    engagement_rate_points: bool | None = None


def inside(change: float | None, usual: UsualRange | None) -> bool | None:
    """A change against its usual range: inside it (low ≤ change ≤ high) is normal; None when
    either is unknown."""
    if change is None or usual is None:
        return None
    return usual.low <= change <= usual.high


def within_usual(changes: object, usual: UsualChanges) -> WithinUsual:
    """Every card's change (the attributes of ``changes``, named as in :class:`WithinUsual`)
    judged against its usual range: the one rule that makes a card grey."""
    return WithinUsual(**{name: inside(getattr(changes, name), getattr(usual, name))
                          for name in WithinUsual.columns()})
