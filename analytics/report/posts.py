"""Every post of a period, for the exports (``report.xlsx``, ``csv/posts.csv``).

The report model lists the *top* posts (at least 100 views, at most 100 of them); a
spreadsheet should hold every post of the period. These rows come from the same query and
the same row shape as ``report.json``'s ``content`` (the ranking floor set to 0 views), so no
number is defined twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import duckdb

from analytics.metrics.period import Period
from analytics.metrics.snapshot import Scope, Snapshot

#: More posts than any business publishes in the longest period.
_EVERY_POST = 1_000_000


def period_posts(
    con: duckdb.DuckDBPyConnection, business_ids: Sequence[str], period: Period, as_of: date
) -> dict[str, list[dict[str, Any]]]:
    """Every post (with its engagement known) of each business's period, best first.

    Builds its own snapshot on a cursor of ``con``: a snapshot's temporary table lives on its
    connection, and the caller may be iterating a report batch on ``con`` itself.
    """
    cursor = con.cursor()
    try:
        snapshot = Snapshot(cursor, Scope.build(list(business_ids), period, as_of))
        return {b: [row.to_dict() for row in snapshot.content_rows(b, _EVERY_POST, 0)]
                for b in business_ids}
    finally:
        cursor.close()
