"""The engine behind the platform adapters: a declarative mapping from an export's columns to
the canonical schema, and the code that applies it row by row.

An adapter module (``x.py``, ``facebook.py``, …) only *declares* a :class:`PostFormat` or a
:class:`DailyFormat`: which columns identify it, where each canonical field comes from, how its
dates are written, its content-type vocabulary and where it names its account. The rows it
produces are canonical text rows; from there every format shares one validation, rejects and
upsert path (``load.py`` and ``queries/ingest_*.sql``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

from analytics.ingest.formats import Format, header_keys, normalise_column
from analytics.ingest.tables import Record, Table
from analytics.ingest.values import (
    DateStyle,
    YearGuess,
    clean_text,
    has_year,
    parse_count,
    parse_day_month,
)

#: The canonical posts columns, in the order of DESIGN.md.
POST_COLUMNS = (
    "business_id", "platform", "content_id", "content_type", "published_at", "title",
    "permalink", "observed_on", "views", "reach", "likes", "shares", "comments", "clicks",
)
COUNTERS = ("views", "reach", "likes", "shares", "comments", "clicks")

#: (line, canonical row or None, column, reason): a row, or why the line was rejected.
Converted = tuple[int, dict[str, str | None] | None, str | None, str | None]


@dataclass(frozen=True)
class Extract:
    """The part of a column's value that ``pattern`` captures (group 1): a post id in a URL.
    With ``whole``, a value the pattern does not fit is taken as it is."""

    column: str
    pattern: str
    whole: bool = False


#: Where a canonical field comes from: a column, alternatives (the first non-blank one present),
#: a pattern over a column, or nothing (the export lacks it: stored as missing, never zero).
Source = str | tuple[str, ...] | Extract | None


@dataclass(frozen=True)
class Vocabulary:
    """An export's content-type words mapped to ours; other words pass through, normalised."""

    column: str
    words: Mapping[str, str]
    blank: str = "unknown"


@dataclass(frozen=True)
class Account:
    """Where an export names its account (an id, a handle or a page name): a column, or the
    part of a column, the file name or a folder name that ``pattern`` captures."""

    column: str | None = None
    pattern: str | None = None
    where: str = "column"  # "column", "file" or "folder"


@dataclass
class Context:
    """What one file's rows are read with, settled before anything is written (see plan.py)."""

    platform: str
    observed_on: date
    business_for: Callable[[tuple[str, ...]], str | None]
    #: the timezone of a business's local times (exports that write wall-clock times)
    timezone_of: Callable[[str], ZoneInfo | None] = lambda business: None
    years: YearGuess = field(default_factory=YearGuess)
    path: Path = Path()
    #: the rows above the header (a Meta daily file names its metric there)
    preamble: list[str] = field(default_factory=list)


def _value(fields: list[str], keys: Mapping[str, int], source: Source) -> str | None:
    """The raw text of ``source`` in a row; None when the file lacks every column named."""
    if source is None:
        return None
    if isinstance(source, Extract):
        text = _value(fields, keys, source.column)
        found = re.search(source.pattern, text or "")
        return found[1] if found else (text if source.whole else None)
    names = (source,) if isinstance(source, str) else source
    present = [fields[keys[n]] for n in names if n in keys]
    for text in present:
        if text.strip():
            return text
    return present[0] if present else None


def _source_names(source: Source) -> tuple[str, ...]:
    if source is None:
        return ()
    if isinstance(source, Extract):
        return (source.column,)
    return (source,) if isinstance(source, str) else source


def accounts_in(accounts: tuple[Account, ...], path: Path, keys: Mapping[str, int],
                fields: list[str] | None) -> tuple[str, ...]:
    """The account ids, handles or names a row (or its file) gives, most specific first."""
    found: list[str] = []
    for account in accounts:
        if account.where == "file":
            texts = [path.stem]
        elif account.where == "folder":
            texts = [p.name for p in path.resolve().parents][:3]
        else:
            texts = [_value(fields, keys, account.column) or ""] if fields else []
        for text in texts:
            if account.pattern:
                hit = re.search(account.pattern, text, re.IGNORECASE)
                text = hit[1] if hit else ""
            if text.strip() and text.strip() not in found:
                found.append(text.strip())
    return tuple(found)


@dataclass(frozen=True, kw_only=True)
class PostFormat(Format):
    """A per-post export: one row per post, lifetime counters as of the export day."""

    kind: str = "posts"
    content_id: Source
    published_at: Source
    dates: DateStyle
    content_type: Vocabulary | str
    title: Source = None
    permalink: Source = None
    #: a permalink built from the post id when the export has none (YouTube)
    permalink_template: str | None = None
    views: Source = None
    reach: Source = None
    likes: Source = None
    shares: Source = None
    comments: Source = None
    clicks: Source = None
    accounts: tuple[Account, ...] = ()
    #: a column that must say "Lifetime" (Meta): other values are one day's counts
    lifetime: str | None = None
    #: a row whose value in this column is "Total" sums the others (YouTube): not a post
    total_row: str | None = None
    #: the row below the header describes each column (Facebook Insights 2015–2019)
    description_row: bool = False
    #: the export writes HTML entities (``&amp;``) in its text
    unescape: bool = False

    def used_columns(self) -> set[str]:
        """Every column the mapping reads (the others are reported as ignored)."""
        sources = [getattr(self, f) for f in ("content_id", "published_at", "title", "permalink",
                                               *COUNTERS)]
        used = {n for s in sources for n in _source_names(s)}
        used |= {a.column for a in self.accounts if a.column}
        used |= {c for c in (self.lifetime, self.total_row) if c}
        if isinstance(self.content_type, Vocabulary):
            used.add(self.content_type.column)
        return used

    def source_column(self, canonical: str, header: list[str]) -> str:
        """The export's own name for a canonical field (for rejects), as the header spells it."""
        keys = header_keys(header)
        for name in _source_names(getattr(self, canonical, None)):
            if name in keys:
                return header[keys[name]]
        return canonical

    def needs_year(self, keys: Mapping[str, int], fields: list[str]) -> str | None:
        """The row's date, if it is written without a year."""
        return _yearless(self.dates, _value(fields, keys, self.published_at))

    def names_a_post(self, keys: Mapping[str, int], fields: list[str]) -> bool:
        return bool((_value(fields, keys, self.content_id) or "").strip())

    def rows(self, table: Table, ctx: Context, skipped: list[tuple[int, str]]
             ) -> Iterator[Converted]:
        header = list(table.header)
        records = table.records
        if self.description_row:
            header, records = _apply_description_row(self, header, records, skipped)
            table.header = header  # so that rejects name the columns as told apart
        keys = header_keys(header)
        for line, fields, problem in records:
            if fields is None or len(fields) != len(header):
                yield line, None, None, problem or _width_problem(fields, header)
                continue
            if self.total_row and (_value(fields, keys, self.total_row) or "").strip().lower() \
                    == "total":
                skipped.append((line, "a Total row (the sum of the rows below)"))
                continue
            yield self._convert(line, fields, keys, header, ctx)

    def _convert(self, line: int, fields: list[str], keys: Mapping[str, int],
                 header: list[str], ctx: Context) -> Converted:
        def reject(canonical: str, reason: str) -> Converted:
            return line, None, self.source_column(canonical, header), reason

        if self.lifetime:
            period = (_value(fields, keys, self.lifetime) or "").strip()
            if period and period.lower() != "lifetime":
                return line, None, header[keys[self.lifetime]], (
                    f"holds one period's counts ({period!r}), not lifetime totals; export the "
                    "posts with Date set to Lifetime")
        content_id = (_value(fields, keys, self.content_id) or "").strip()
        if not content_id:
            raw = _value(fields, keys, _source_names(self.content_id))
            return reject("content_id", f"holds no post id: {raw!r}" if raw and raw.strip()
                          else "is blank: the row names no post")
        business = ctx.business_for(accounts_in(self.accounts, ctx.path, keys, fields))
        if business is None:
            return reject("content_id", "belongs to an account mapped to no business")
        published_text = (_value(fields, keys, self.published_at) or "").strip()
        if not published_text:
            return reject("published_at", "is blank")
        published, problem = self.dates.parse(published_text, ctx.timezone_of(business),
                                              ctx.years)
        if problem:
            return reject("published_at", problem)
        row: dict[str, str | None] = {
            "business_id": business, "platform": ctx.platform, "content_id": content_id,
            "content_type": self._content_type(fields, keys), "published_at": published,
            "title": clean_text(_value(fields, keys, self.title), unescape=self.unescape),
            "permalink": (_value(fields, keys, self.permalink) or "").strip()
            or (self.permalink_template.format(content_id=content_id)
                if self.permalink_template else ""),
            "observed_on": ctx.observed_on.isoformat(),
        }
        for counter in COUNTERS:
            value, problem = parse_count(_value(fields, keys, getattr(self, counter)))
            if problem:
                return reject(counter, problem)
            row[counter] = None if value is None else str(value)
        return line, row, None, None

    def _content_type(self, fields: list[str], keys: Mapping[str, int]) -> str:
        if isinstance(self.content_type, str):
            return self.content_type
        word = normalise_column(_value(fields, keys, self.content_type.column) or "")
        if not word:
            return self.content_type.blank
        return self.content_type.words.get(word, word)


def _yearless(style: DateStyle, text: str | None) -> str | None:
    if style.kind != "day_month" or not text or not text.strip() or has_year(text):
        return None
    return text.strip() if parse_day_month(text) else None


def _width_problem(fields: list[str] | None, header: list[str]) -> str:
    count = len(fields) if fields is not None else 0
    return (f"has {count} fields where the header has {len(header)} "
            "(a truncated or broken line?)")


def _apply_description_row(fmt: PostFormat, header: list[str], records: Iterator[Record],
                           skipped: list[tuple[int, str]]) -> tuple[list[str], Iterator[Record]]:
    """Skip the description row below the header, and use it to tell apart header names that
    repeat (``Lifetime Organic watches at 95%`` twice: once in users, once in views)."""
    try:
        first = next(records)
    except StopIteration:
        return header, records
    line, fields, _ = first
    if fields is None or len(fields) != len(header):
        return header, _chain(first, records)  # a broken row, rejected in its turn
    post_id = _value(fields, header_keys(header), fmt.content_id) or ""
    if not post_id.strip() or " " in post_id.strip():
        skipped.append((line, "the description row below the header"))
        return _disambiguate(header, fields), records
    return header, _chain(first, records)


def _disambiguate(header: list[str], descriptions: list[str]) -> list[str]:
    counts: dict[str, int] = {}
    for name in header:
        counts[normalise_column(name)] = counts.get(normalise_column(name), 0) + 1
    renamed = []
    for index, name in enumerate(header):
        if counts[normalise_column(name)] < 2:
            renamed.append(name)
            continue
        text = descriptions[index].strip() if index < len(descriptions) else ""
        unit = re.findall(r"\(([^()]*)\)\s*$", text)
        suffix = text if 0 < len(text) <= 40 else (unit[0] if unit else str(index))
        renamed.append(f"{name} - {suffix}")
    return renamed


def _chain(first: Record, rest: Iterator[Record]) -> Iterator[Record]:
    yield first
    yield from rest


@dataclass(frozen=True, kw_only=True)
class DailyFormat(Format):
    """An account-level export: one row per day, one or more metrics (views, followers…).

    Metrics come from ``metrics`` (column → metric name), from every other column holding counts
    (``other_columns``, leaving out those matching ``not_metrics``: rates, differences), and
    from a column whose metric is named on the line above the header (``metric_named_above``,
    Meta's ``"Date","Primary"`` files). A metric named ``followers`` goes to the followers table.
    """

    kind: str = "daily"
    day: str
    dates: DateStyle
    metrics: Mapping[str, str] = field(default_factory=dict)
    other_columns: bool = False
    not_metrics: str = r"rate|ctr|percent|difference|change"
    metric_named_above: str | None = None

    def metric_columns(self, header: list[str], ctx: Context) -> dict[int, str]:
        """Header position → metric name."""
        keys = header_keys(header)
        found = {keys[c]: metric for c, metric in self.metrics.items() if c in keys}
        if self.metric_named_above and self.metric_named_above in keys:
            named = [p for p in ctx.preamble if p and not p.lower().startswith("sep=")]
            found[keys[self.metric_named_above]] = normalise_column(
                named[-1] if named else ctx.path.stem) or "value"
        if self.other_columns:
            for key, index in keys.items():
                if key != self.day and index not in found and not re.search(self.not_metrics,
                                                                            key):
                    found[index] = key
        return found

    def needs_year(self, keys: Mapping[str, int], fields: list[str]) -> str | None:
        """The row's day, if it is written without a year."""
        return _yearless(self.dates, _value(fields, keys, self.day))

    def rows(self, table: Table, ctx: Context, skipped: list[tuple[int, str]]
             ) -> Iterator[tuple[int, str | None, dict[str, int | None] | None, str | None,
                                 str | None]]:
        """(line, day, {metric: value}, column, reason) of each row."""
        header = list(table.header)
        keys = header_keys(header)
        columns = self.metric_columns(header, ctx)
        for line, fields, problem in table.records:
            if fields is None or len(fields) != len(header):
                yield line, None, None, None, problem or _width_problem(fields, header)
                continue
            text = (fields[keys[self.day]] or "").strip()
            if text.lower() == "total":
                skipped.append((line, "a Total row"))
                continue
            day, problem = self.dates.parse(text, None, ctx.years) if text else (None,
                                                                                "is blank")
            if problem:
                yield line, None, None, header[keys[self.day]], problem
                continue
            values: dict[str, int | None] = {}
            for index, metric in columns.items():
                value, problem = parse_count(fields[index])
                if problem:
                    break
                values[metric] = value
            if problem:
                yield line, None, None, header[index], problem
                continue
            yield line, day, values, None, None
