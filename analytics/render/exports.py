"""Spreadsheet exports of a report: ``report.xlsx`` and ``csv/<table>.csv``.

Both are drawn from the finished model (``report.json``) plus every post of the period
(:func:`analytics.report.posts.period_posts`); nothing here computes a number. The tables, in
order: overview, platforms, posts, trends, insights.

Spreadsheets run formulas: a post title such as ``=HYPERLINK("http://evil", "x")`` must not
become one. Every text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return is written with a leading apostrophe (OWASP's advice for CSV injection), and in the
workbook each text cell is typed as a string; numbers stay numbers.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# one home for the rule, shared with the ingest's rejects files and the notebooks' CSVs
from analytics.csvsafe import FORMULA_STARTS, Writer, neutralise  # noqa: F401 - FORMULA_STARTS re-exported
from analytics.metrics.results import PlatformRow, PostRow, TrendPoint
from analytics.report import atomic_write

EXPORT_FORMATS = ("csv", "xlsx")
XLSX_FILE = "report.xlsx"
CSV_FOLDER = "csv"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Table:
    """One sheet of ``report.xlsx`` and one ``csv/<name>.csv``."""

    name: str
    columns: tuple[str, ...]
    rows: list[tuple[Any, ...]]


_OVERVIEW = (
    ("total_posts", "posts"), ("total_views", "views"), ("total_reach", "reach"),
    ("total_engagement", "engagement"), ("total_clicks", "clicks"),
    ("avg_engagement_rate", "engagement_rate"), ("ctr", None),
)
# the columns are the report model's own fields (report.json's keys), in their order
_PLATFORMS = PlatformRow.columns()
_POSTS = PostRow.columns()
_TRENDS = TrendPoint.columns()


def tables(report: Mapping[str, Any], posts: Sequence[Mapping[str, Any]]) -> list[Table]:
    """The export tables of one report (``report`` as ``report.json``'s keys)."""
    overview = report["overview"]
    previous = overview.get("previous") or {}
    growth = overview.get("growth") or {}
    overview_rows = [
        (key, overview.get(key), previous.get(key), growth.get(growth_key) if growth_key else None)
        for key, growth_key in _OVERVIEW
    ]
    overview_rows.append(("top_platform", overview.get("top_platform"), None, None))
    period = report["period"]
    head = [("business_id", report["business"]["business_id"], None, None),
            ("period", period["label"], None, None),
            ("start", period["start"], previous.get("start"), None),
            ("end", period["end"], previous.get("end"), None),
            ("as_of", period["as_of"], previous.get("as_of"), None)]
    insights = report["insights"]
    insight_rows = [("recommendation", r.get("subject"), r.get("claim"), r.get("evidence_text"),
                     r.get("confidence")) for r in insights.get("recommendations", [])]
    insight_rows += [("note", n.get("topic"), n.get("text"), None, None)
                     for n in insights.get("notes", [])]
    return [
        Table("overview", ("metric", "value", "previous", "growth_percent"), head + overview_rows),
        Table("platforms", _PLATFORMS,
              [tuple(p.get(c) for c in _PLATFORMS) for p in report["platforms"]]),
        Table("posts", _POSTS, [tuple(p.get(c) for c in _POSTS) for p in posts]),
        Table("trends", _TRENDS, [tuple(t.get(c) for c in _TRENDS) for t in report["trends"]]),
        Table("insights", ("kind", "subject", "text", "evidence", "confidence"), insight_rows),
    ]


def csv_bytes(table: Table) -> bytes:
    """One table as CSV: UTF-8 with a byte-order mark (so Excel reads accents and Japanese
    titles right), a header row, empty cells for missing values."""
    buffer = io.StringIO(newline="")
    writer = Writer(buffer, lineterminator="\r\n")  # a missing value (None) is an empty cell
    writer.writerow(table.columns)
    writer.writerows(table.rows)
    return buffer.getvalue().encode("utf-8-sig")


def xlsx_bytes(all_tables: Sequence[Table]) -> bytes:
    """Every table as one sheet of a workbook; text typed as text, numbers as numbers."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import TYPE_STRING

    book = Workbook()
    book.remove(book.active)
    for table in all_tables:
        sheet = book.create_sheet(table.name)
        sheet.append(list(table.columns))
        for values in table.rows:
            sheet.append(list(values))
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                if isinstance(cell.value, str):
                    # text stays text: openpyxl would otherwise read any "=…" as a formula;
                    # a cell Excel could take for one is marked quote-prefixed (the apostrophe
                    # a user would type) instead of having one added to its text
                    cell.data_type = TYPE_STRING
                    if neutralise(cell.value) != cell.value:
                        cell.quotePrefix = True
        sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def write_exports(report: Mapping[str, Any], posts: Sequence[Mapping[str, Any]], folder: Path,
                  formats: Sequence[str]) -> list[Path]:
    """Write ``report.xlsx`` and/or ``csv/<table>.csv`` into ``folder`` (each atomically)."""
    built = tables(report, posts)
    written = []
    if "xlsx" in formats:
        written.append(atomic_write(folder / XLSX_FILE, xlsx_bytes(built)))
    if "csv" in formats:
        for table in built:
            written.append(atomic_write(folder / CSV_FOLDER / f"{table.name}.csv",
                                        csv_bytes(table)))
    return written
