"""``analytics history``: a business's stored totals period by period (the seed's
BusinessMetrics), recomputed where missing or stale."""

from __future__ import annotations

import csv
import io
import sys
from datetime import UTC, datetime
from pathlib import Path

import click
import orjson

from analytics import AnalyticsError, config
from analytics.cli.options import db_option, handle_errors, iter_ids

#: The table's columns: (field, heading, width).
TABLE = (("label", "period", 22), ("posts", "posts", 6), ("views", "views", 10),
         ("reach", "reach", 10), ("engagement", "engagement", 10),
         ("engagement_rate", "ER %", 6), ("ctr", "CTR %", 6),
         ("followers_end", "followers", 10), ("net_followers", "net", 7))


def _cell(value: object) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.2f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


@click.command()
@db_option
@click.option("--business", "business_id", required=True, metavar="ID", help="Business id.")
@click.option("--weeks", type=click.IntRange(1, 120), help="The last N complete ISO weeks.")
@click.option("--months", type=click.IntRange(1, 120), help="The last N complete months.")
@click.option("--quarters", type=click.IntRange(1, 40), help="The last N complete quarters.")
@click.option("--as-of", "as_of", help="Counters as they stood on this day (default: today).")
@click.option("--platforms", "by_platform", is_flag=True,
              help="A row per platform as well as the all-platform row.")
@click.option("--format", "format_", type=click.Choice(["table", "csv", "json"]),
              default="table", show_default=True)
@handle_errors
def history(db: Path | None, business_id: str, weeks: int | None, months: int | None,
            quarters: int | None, as_of: str | None, by_platform: bool, format_: str) -> None:
    """Print a business's totals period by period, oldest first.

    Without --weeks/--months/--quarters: the last 12 periods of the business's cadence
    (weekly unless its businesses file says monthly), ending with the last complete one. Rows
    come from the warehouse's business_metrics (every report run stores its periods); a
    missing or stale period is recomputed and stored. Each all-platform row equals the
    overview of that period's report as of the same day.

    \b
    Example:  analytics history --business northwind-coffee --weeks 12
              analytics history --business lumen-books --months 6 --format csv
    """
    from analytics.metrics.history import history_of
    from analytics.metrics.period import CADENCES, Period, local_today, parse_date
    from analytics.warehouse import WarehouseBusy, access
    from analytics.warehouse.businesses import list_businesses

    (business_id,) = iter_ids([business_id])
    given = [(kind, n) for kind, n in (("week", weeks), ("month", months),
                                       ("quarter", quarters)) if n]
    if len(given) > 1:
        raise AnalyticsError("give one of --weeks, --months, --quarters")
    given_as_of = parse_date(as_of, "--as-of") if as_of else None
    path = config.db_path(db)
    try:
        if not path.exists():
            raise WarehouseBusy("")  # reading says how to make one
        # a brief writer: stored rows that are missing or stale are recomputed and kept
        session, write = access.writing(path, "history", timeout=1), True
    except WarehouseBusy:
        # another process writes: answer from a read (recomputing if need be), store nothing
        session, write = access.reading(path), False
    con = session.con
    try:
        (business,) = list_businesses(con, [business_id])
        # without --as-of, "today" is the business's own day (as for report and send)
        as_of_date = given_as_of or local_today(business.timezone, datetime.now(UTC))
        kind, count = given[0] if given else (CADENCES.get(business.cadence, "week"),
                                              config.HISTORY_PERIODS)
        last = Period.last_complete(kind, as_of_date)
        answer = history_of(con, business_id, last, count, as_of_date, write=write)
    finally:
        session.close()
    rows = [r for r in answer.rows if by_platform or r.platform == "all"]
    if format_ == "json":
        sys.stdout.write(orjson.dumps([r.to_dict() for r in rows],
                                      option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)
                         .decode())
        return
    if format_ == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(rows[0].columns() if rows else ())
        for r in rows:
            writer.writerow(["" if v is None else v for v in r.to_dict().values()])
        sys.stdout.write(buffer.getvalue())
        return
    columns = TABLE if not by_platform else (TABLE[0], ("platform", "platform", 10), *TABLE[1:])
    click.echo(f"{business.name} ({business_id}): {len({r.label for r in rows})} "
               f"{kind}s as of {as_of_date}" + (" (recomputed)" if answer.recomputed else ""))
    click.echo("  ".join(f"{h:<{w}}" if i < 2 else f"{h:>{w}}"
                         for i, (_, h, w) in enumerate(columns)))
    for r in rows:
        values = r.to_dict()
        label = values["label"] + ("" if values["complete"] else " *")
        cells = [label if f == "label" else _cell(values[f]) for f, _, _ in columns]
        click.echo("  ".join(f"{c:<{w}}" if i < 2 else f"{c:>{w}}"
                             for i, (c, (_, _, w)) in enumerate(zip(cells, columns,
                                                                    strict=True))))
    if any(not r.complete for r in rows):
        click.echo("* under way on the as-of day: its numbers will still grow")
