"""Every post of a period, for the exports (``report.xlsx``, ``csv/posts.csv``).

The report model's ``content`` lists the *top* posts; a spreadsheet holds every post of the
period: the rows of ``report.json``'s ``posts`` (the ranked posts in rank order, then those
below the ranking floor), from the same query and row shape, so no number is defined twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import duckdb

from analytics.metrics.period import Period
from analytics.metrics.snapshot import Scope, Snapshot


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
        return {b: [row.to_dict() for row in snapshot.post_rows(b)]
                for b in business_ids}
    finally:
        cursor.close()
