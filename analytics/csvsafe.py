"""Cells that a spreadsheet would run as a formula are written as text, in every CSV we write.

Excel, LibreOffice and Google Sheets treat a cell starting with ``=``, ``+``, ``-`` or ``@`` as a
formula (and tab or carriage return as a prefix they strip before deciding), so a post title
such as ``=HYPERLINK("http://evil.example","click")`` in a rejects file or an exported table
would run when the analyst opens it. Such cells get a leading apostrophe, which the
spreadsheets show as nothing and which turns the cell into text (OWASP's advice). Numbers are
left alone: a negative *number* is data, only *text* can be a formula.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import IO, Any

#: The first characters that make a spreadsheet read a text cell as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """``value`` as it is safe to write in a CSV cell: text that a spreadsheet would evaluate
    gets a leading ``'``; anything else is returned unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class Writer:
    """``csv.writer`` whose rows are neutralised cell by cell."""

    def __init__(self, handle: IO[str], **options: Any) -> None:
        self._writer = csv.writer(handle, **options)

    def writerow(self, row: Iterable[Any]) -> None:
        self._writer.writerow([neutralise(v) for v in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)
