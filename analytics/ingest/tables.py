"""Opening an export as a table of text rows: encoding, delimiter, and the header row found
below whatever the platform writes above it.

A CSV may start with a byte-order mark (UTF-8 or UTF-16), a ``sep=,`` line, the name of a
metric, or a note; a workbook (LinkedIn) has a note in row 1 of each sheet. The header is the
first of the top rows that matches a known format, so none of that needs to be known in
advance. Every record keeps the line it starts on (or the sheet row, or the Parquet row
number), which is what a rejects file reports.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

from analytics import AnalyticsError
from analytics.ingest.formats import Format, match, refusal

#: How many rows above the header an export may hold (notes, ``sep=``, metric names).
HEADER_SEARCH_ROWS = 15
#: (line, fields, problem): fields is None when the record could not be read at all.
Record = tuple[int, list[str] | None, str | None]
_DELIMITERS = (",", ";", "\t")


class UnreadableFile(AnalyticsError):
    """The file cannot be read at all (encoding, empty, not CSV/XLSX/Parquet)."""


@dataclass
class Table:
    """One table of an export: a CSV file, or one sheet of a workbook."""

    path: Path
    format: Format
    header: list[str]
    records: Iterator[Record]
    sheet: str | None = None
    header_line: int = 1
    #: the rows above the header, as text (``sep=,``, a metric's name, a note)
    preamble: list[str] = field(default_factory=list)
    encoding: str = "utf-8"
    delimiter: str = ","

    @property
    def label(self) -> str:
        return f"{self.path} [{self.sheet}]" if self.sheet else str(self.path)


@dataclass
class Opened:
    """What opening a file found: its tables, and sheets that were left out (with why)."""

    tables: list[Table]
    skipped_sheets: list[str] = field(default_factory=list)


def sniff_encoding(head: bytes) -> str:
    """The encoding of a file starting with ``head``: a BOM decides; UTF-16 without one is
    recognised by its zero bytes; otherwise UTF-8."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    # UTF-32's little-endian BOM begins with UTF-16's: it is tested first, or a UTF-32 file
    # would be read as UTF-16 with a zero character between every two letters
    if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    sample = head[:2000]
    if len(sample) >= 8 and sample.count(0) > len(sample) // 2:  # three zero bytes in four
        quads = len(sample) // 4 * 4
        if sample[1:quads:4].count(0) > quads // 8 and sample[0:quads:4].count(0) < quads // 8:
            return "utf-32-le"
        if sample[0:quads:4].count(0) > quads // 8 and sample[3:quads:4].count(0) < quads // 8:
            return "utf-32-be"
    if len(sample) >= 4 and sample.count(0) > len(sample) // 4:
        odd_zeros = sample[1::2].count(0)
        even_zeros = sample[0::2].count(0)
        return "utf-16-le" if odd_zeros > even_zeros else "utf-16-be"
    return "utf-8"


def _sniff_delimiter(lines: list[str]) -> str:
    """The delimiter of the first lines: a ``sep=`` line says it; else the candidate that splits
    some line into the most fields (comma on a tie)."""
    if lines and lines[0].strip().lower().startswith("sep=") and len(lines[0].strip()) > 4:
        return lines[0].strip()[4]
    counts = {d: max((line.count(d) for line in lines), default=0) for d in _DELIMITERS}
    best = max(_DELIMITERS, key=lambda d: (counts[d], d == ","))
    return best if counts[best] else ","


def _csv_records(handle: io.TextIOBase, delimiter: str, path: Path) -> Iterator[Record]:
    """(first line, fields, problem) of each record; a quoted field may span lines. A record the
    CSV grammar refuses (a stray quote, a file that ends inside a quoted field) is reported with
    its line and reading goes on; blank lines are left out."""
    reader = csv.reader(handle, delimiter=delimiter, strict=True)
    last = 0
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            start, last = last + 1, reader.line_num
            reason = ("is truncated: the file ends inside a quoted field"
                      if "unexpected end of data" in str(exc) else f"is not valid CSV ({exc})")
            yield start, None, reason
            continue
        except UnicodeDecodeError as exc:
            raise _undecodable(path, handle.encoding, exc) from None
        start, last = last + 1, reader.line_num
        if any(f.strip() for f in fields):
            yield start, fields, None


def _undecodable(path: Path, encoding: str, exc: UnicodeDecodeError) -> UnreadableFile:
    """The error for a file that is not valid text in its encoding, naming the first bad line
    (decoding reads ahead, so the exception itself cannot say which)."""
    name = encoding.upper()[:6] if encoding.startswith(("utf-16", "utf-32")) else "UTF-8"
    where = "a line"
    if name == "UTF-8":
        with open(path, "rb") as handle:
            for number, raw in enumerate(handle, start=1):
                try:
                    raw.decode("utf-8")
                except UnicodeDecodeError:
                    where = f"line {number}"
                    break
    return UnreadableFile(f"{path}: {where} is not valid {name} ({exc.reason}); save the file "
                          "as UTF-8 and ingest it again")


def _find_header(records: Iterator[Record], source: str, formats: Sequence[Format],
                 ) -> tuple[Format, int, list[str], list[str], Iterator[Record]]:
    """Read up to :data:`HEADER_SEARCH_ROWS` rows looking for a header; returns the format, the
    header's line, the header, the rows above it (as text) and the records after it."""
    seen: list[list[str]] = []
    preamble: list[str] = []
    for _ in range(HEADER_SEARCH_ROWS):
        try:
            line, fields, _problem = next(records)
        except StopIteration:
            break
        if fields is None:
            preamble.append("")
            continue
        found = match(fields, formats)
        if found is not None:
            return found, line, fields, preamble, records
        seen.append(fields)
        preamble.append(",".join(f.strip() for f in fields if f.strip()))
    if not seen:
        raise UnreadableFile(f"{source}: the file is empty; expected a header line")
    raise refusal(seen, source, formats)


def _open_csv(path: Path, formats: Sequence[Format], stack: ExitStack) -> Table:
    with open(path, "rb") as raw:
        head = raw.read(8192)
    if not head.strip(b"\xef\xbb\xbf\xff\xfe\x00 \r\n\t"):
        raise UnreadableFile(f"{path}: the file is empty; expected a header line")
    encoding = sniff_encoding(head)
    # closed by the caller's ExitStack, once the records have been read
    handle = stack.enter_context(open(path, encoding=encoding, newline=""))  # noqa: SIM115
    try:
        first_lines = [handle.readline() for _ in range(10)]
    except UnicodeDecodeError as exc:
        raise _undecodable(path, encoding, exc) from None
    delimiter = _sniff_delimiter(first_lines)
    handle.seek(0)
    fmt, line, header, preamble, records = _find_header(
        _csv_records(handle, delimiter, path), str(path), formats
    )
    return Table(path, fmt, header, records, header_line=line, preamble=preamble,
                 encoding=encoding, delimiter=delimiter)


def cell_text(value: object) -> str:
    """A workbook or Parquet cell as the text a CSV export would hold."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _fit(fields: list[str], width: int) -> tuple[list[str], str | None]:
    """A sheet row fitted to the header: trailing empty cells come and go in workbooks."""
    while len(fields) > width and not fields[-1].strip():
        fields.pop()
    if len(fields) > width:
        return fields, f"has {len(fields)} cells where the header has {width}"
    return fields + [""] * (width - len(fields)), None


def _sheet_records(rows: Iterator[tuple], where: str) -> Iterator[Record]:
    number = 0
    while True:
        try:
            row = next(rows)
        except StopIteration:
            return
        except Exception as exc:  # noqa: BLE001 - openpyxl reads lazily: XML, zip, values
            raise UnreadableFile(f"{where}: row {number + 1} cannot be read "
                                 f"({type(exc).__name__}: {str(exc)[:100]}); the workbook is "
                                 "damaged: export it again") from None
        number += 1
        fields = [cell_text(v) for v in row]
        if any(f.strip() for f in fields):
            yield number, fields, None


def _fitted(records: Iterator[Record], width: int) -> Iterator[Record]:
    for line, fields, problem in records:
        if fields is None:
            yield line, fields, problem
            continue
        fields, problem = _fit(fields, width)
        yield line, (None if problem else fields), problem


#: The last column a workbook can have (XFD); openpyxl reads up to ZZZ, padding every row
#: with empty cells up to its last one, and fails beyond.
MAX_XLSX_COLUMN = 16_384
_CELL_REF = re.compile(rb"<c\b[^>]*?\br=\"([A-Z]+)([0-9]+)\"")


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


def _cell_past_last_column(path: Path) -> str | None:
    """The reference of a cell beyond column XFD in any sheet of the workbook, else None. Read
    from the sheets' XML in a quick pass: openpyxl would spend seconds and gigabytes padding
    such rows before failing on them (or silently drop the cell)."""
    try:
        with zipfile.ZipFile(path) as archive:
            for name in archive.namelist():
                if not (name.startswith("xl/worksheets/") and name.endswith(".xml")):
                    continue
                with archive.open(name) as handle:
                    tail = b""
                    while block := handle.read(1 << 20):
                        chunk = tail + block
                        for match in _CELL_REF.finditer(chunk):
                            if (len(match[1]) > 3
                                    or _column_number(match[1]) > MAX_XLSX_COLUMN):
                                return (match[1] + match[2]).decode()
                        tail = chunk[-256:]  # a reference cut by the block boundary
    except (zipfile.BadZipFile, OSError, RuntimeError):
        return None  # openpyxl says what is wrong with the file
    return None


def _open_xlsx(path: Path, formats: Sequence[Format], stack: ExitStack) -> Opened:
    import openpyxl  # imported here: only workbooks need it

    beyond = _cell_past_last_column(path)
    if beyond is not None:
        raise UnreadableFile(f"{path}: cell {beyond} lies past column XFD, the last a workbook "
                             "can have: the file is damaged; export it again (or save it "
                             "from a spreadsheet program)")
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged or foreign file
        raise UnreadableFile(f"{path}: not a readable .xlsx workbook ({exc})") from None
    stack.callback(book.close)
    opened = Opened([])
    seen: list[list[str]] = []
    for sheet in book.worksheets:
        # the <dimension> a program wrote may understate the sheet: rows past it would be
        # dropped without a word, so the rows are counted as they are read instead
        sheet.reset_dimensions()
        records = _sheet_records(sheet.iter_rows(values_only=True), f"{path} [{sheet.title}]")
        try:
            fmt, line, header, preamble, rest = _find_header(records, f"{path} [{sheet.title}]",
                                                              formats)
        except AnalyticsError as exc:
            opened.skipped_sheets.append(f"sheet {sheet.title!r}: {exc}")
            seen.extend(_first_rows(sheet))
            continue
        opened.tables.append(Table(path, fmt, header, _fitted(rest, len(header)),
                                   sheet=sheet.title, header_line=line, preamble=preamble))
    if not opened.tables:
        raise refusal(seen, f"{path} (sheets {', '.join(book.sheetnames)})", formats)
    return opened


def _first_rows(sheet: object) -> list[list[str]]:
    rows = sheet.iter_rows(values_only=True, max_row=HEADER_SEARCH_ROWS)  # type: ignore[attr-defined]
    return [[cell_text(v) for v in row] for row in rows if any(v is not None for v in row)]


def _open_parquet(path: Path, formats: Sequence[Format]) -> Table:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(path)
    except (OSError, pa.ArrowException) as exc:
        raise UnreadableFile(f"{path}: not a readable Parquet file ({exc})") from None
    header = list(parquet.schema_arrow.names)
    fmt = match(header, formats)
    if fmt is None:
        raise refusal([header], str(path), formats)

    def records() -> Iterator[Record]:
        number = 0
        for batch in parquet.iter_batches(batch_size=10_000):
            columns = [batch.column(i).to_pylist() for i in range(batch.num_columns)]
            for row in zip(*columns, strict=True):
                number += 1
                yield number, [cell_text(v) for v in row], None

    return Table(path, fmt, header, records(), header_line=0)


@contextmanager
def open_tables(path: Path, formats: Sequence[Format]) -> Iterator[Opened]:
    """Open ``path`` (CSV, XLSX or Parquet) and find the header of each of its tables.

    Raises :class:`UnreadableFile` or :class:`~analytics.ingest.formats.UnknownFormat`.
    """
    suffix = path.suffix.lower()
    with ExitStack() as stack:
        if suffix == ".xlsx":
            yield _open_xlsx(path, formats, stack)
        elif suffix == ".parquet":
            yield Opened([_open_parquet(path, formats)])
        elif suffix in (".xls", ".xlsm", ".numbers", ".ods"):
            raise UnreadableFile(f"{path}: {suffix} workbooks cannot be read; save the file "
                                 "as .xlsx (or each sheet as CSV) and ingest it again")
        else:
            yield Opened([_open_csv(path, formats, stack)])

