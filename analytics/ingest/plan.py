"""Settling, before anything is written, what each file is and whom it belongs to.

For every file: its format (from its header), and for a platform export the business of each
account it names (``--business``, else the mapping file, else a mapped folder), the timezone
of its local times, the year of its dates that lack one, and the day its counters were
observed. Anything that cannot be settled (an unmapped account, an unknown business, a missing
year) stops the whole command with every such problem listed, before any file is ingested.
A file in no known format is only refused on its own: the others go on.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import duckdb

from analytics import AnalyticsError
from analytics.ingest import registry
from analytics.ingest.adapter import DailyFormat, PostFormat, accounts_in
from analytics.ingest.formats import Format, header_keys
from analytics.ingest.mapping import AccountMap
from analytics.ingest.tables import Table, UnreadableFile, open_tables
from analytics.ingest.values import export_period, observation_day

#: At most this many unmapped accounts are named per file in the error.
SHOWN_ACCOUNTS = 3


class PlanError(AnalyticsError):
    """Something about the batch must be settled by the user before anything is written."""


@dataclass
class Options:
    """What the user said on the command line (None: work it out)."""

    business: str | None = None
    platform: str | None = None
    observed_on: date | None = None
    timezone: str | None = None
    year: int | None = None
    mapping: AccountMap = field(default_factory=AccountMap)
    today: date = field(default_factory=date.today)


@dataclass
class Part:
    """One table of a file (a CSV, or a sheet of a workbook) and how to read it."""

    path: Path
    format: Format
    sheet: str | None = None
    platform: str | None = None
    observed_on: date | None = None
    #: the business of each account tuple the rows name; () for rows that name none
    businesses: dict[tuple[str, ...], str] = field(default_factory=dict)
    #: the business of rows that name no account (``--business`` or a mapped folder)
    file_business: str | None = None
    #: whether the export writes wall-clock times, and their timezone for each business
    local_times: bool = False
    timezones: dict[str, str] = field(default_factory=dict)
    year: int | None = None
    period_end: date | None = None

    @property
    def business_ids(self) -> set[str]:
        found = set(self.businesses.values())
        return found | {self.file_business} if self.file_business else found


@dataclass
class FilePlan:
    path: Path
    sha256: str = ""
    parts: list[Part] = field(default_factory=list)
    skipped_sheets: list[str] = field(default_factory=list)
    #: set when the file is refused on its own (unknown format, unreadable)
    error: str | None = None

    @property
    def kind(self) -> str:
        return self.parts[0].format.kind if self.parts else "?"


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _observed_before(con: duckdb.DuckDBPyConnection, digest: str) -> date | None:
    """The observation day recorded when this very content was ingested before."""
    row = con.execute(
        "SELECT observed_on FROM ingest_files WHERE sha256 = ? AND observed_on IS NOT NULL "
        "ORDER BY ingested_at LIMIT 1", [digest],
    ).fetchone()
    return row[0] if row else None


def _scan(table: Table, fmt: PostFormat | DailyFormat, path: Path
          ) -> tuple[set[tuple[str, ...]], str | None]:
    """The account tuples the rows name, and the first date that lacks its year."""
    keys = header_keys(table.header)
    accounts: set[tuple[str, ...]] = set()
    yearless = None
    for _line, fields, _problem in table.records:
        if fields is None or len(fields) != len(table.header):
            continue
        yearless = yearless or fmt.needs_year(keys, fields)
        if isinstance(fmt, PostFormat) and fmt.names_a_post(keys, fields):
            # a row naming no post is rejected for that, whatever its account
            accounts.add(accounts_in(fmt.accounts, path, keys, fields))
    return accounts, yearless


def _business_ids_in(table: Table) -> dict[str, str]:
    """business_id → timezone of the rows of a canonical businesses file (a row whose timezone
    is not one will be rejected: its business is not counted on)."""
    keys = header_keys(table.header)
    found = {}
    for _line, fields, _problem in table.records:
        if fields is None or len(fields) != len(table.header):
            continue
        business = fields[keys["business_id"]].strip()
        timezone = (fields[keys["timezone"]].strip() if "timezone" in keys else "") or "UTC"
        if business and _is_zone(timezone):
            found[business] = timezone
    return found


def _is_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _describe(accounts: tuple[str, ...]) -> str:
    return accounts[0] + (f" ({', '.join(repr(a) for a in accounts[1:])})"
                          if len(accounts) > 1 else "")


class Planner:
    """Plans a batch of files; :meth:`finish` raises :class:`PlanError` listing every problem."""

    def __init__(self, con: duckdb.DuckDBPyConnection, options: Options) -> None:
        self.con = con
        self.options = options
        self.problems: list[str] = []
        self.known: dict[str, str] = dict(
            con.execute("SELECT business_id, timezone FROM businesses").fetchall()
        )
        self.formats = registry.candidates(options.platform)
        if options.timezone and not _is_zone(options.timezone):
            self.problems.append(f"--timezone: {options.timezone!r} is not an IANA timezone "
                                 "such as Europe/London")

    def plan(self, path: Path) -> FilePlan:
        plan = FilePlan(path)
        try:
            plan.sha256 = sha256(path)
            with open_tables(path, self.formats) as opened:
                plan.skipped_sheets = opened.skipped_sheets
                for table in opened.tables:
                    plan.parts.append(self._part(table, plan.sha256))
        except (UnreadableFile, OSError) as exc:
            plan.error = str(exc) if isinstance(exc, AnalyticsError) else f"{path}: {exc}"
        except AnalyticsError as exc:  # UnknownFormat
            plan.error = str(exc)
        return plan

    def _part(self, table: Table, digest: str) -> Part:
        fmt, options = table.format, self.options
        part = Part(table.path, fmt, sheet=table.sheet)
        if fmt.kind == "businesses":
            self.known.update(_business_ids_in(table))
            return part
        period = export_period(table.path.stem,
                               *[p.name for p in table.path.resolve().parents][:2])
        part.observed_on = (options.observed_on or observation_day(period, options.today)
                            or _observed_before(self.con, digest) or options.today)
        if not isinstance(fmt, PostFormat | DailyFormat):
            return part  # canonical posts: every row names its business and platform
        part.platform = options.platform or fmt.platform
        accounts, yearless = _scan(table, fmt, table.path)
        file_business = options.business or options.mapping.business_for_path(table.path)
        part.file_business = file_business
        unmapped = []
        for found in sorted(accounts):
            business = options.business or options.mapping.business_for(part.platform, found)
            business = business or file_business
            if business:
                part.businesses[found] = business
            elif found:
                unmapped.append(found)
        where = table.label
        if unmapped:
            names = "; ".join(_describe(a) for a in unmapped[:SHOWN_ACCOUNTS])
            more = (f" and {len(unmapped) - SHOWN_ACCOUNTS} more"
                    if len(unmapped) > SHOWN_ACCOUNTS else "")
            self.problems.append(
                f"{where}: no business for {part.platform} account {names}{more}. Give "
                f"--business ID, or map the account in the mapping file, e.g. "
                f"[your-business-id] {part.platform} = [\"{unmapped[0][0]}\"]")
        elif not file_business and (() in accounts or isinstance(fmt, DailyFormat)):
            self.problems.append(
                f"{where}: cannot tell which business this {fmt.name} file belongs to (it names "
                "no account). Give --business ID, or map its folder in the mapping file, e.g. "
                f"[your-business-id] folders = [\"{table.path.parent.name}\"]")
        if yearless:
            part.year = options.year
            part.period_end = period[1] if period else None
            if part.year is None and part.period_end is None:
                self.problems.append(
                    f"{where}: its dates have no year ({yearless!r}). Give --year YYYY (the "
                    "year of the first row), or keep the export period in the file name "
                    f"(e.g. {table.path.stem}_2025-04-12_2025-04-18{table.path.suffix})")
        part.local_times = fmt.dates.kind == "local"
        return part

    def finish(self, plans: Sequence[FilePlan]) -> None:
        """Check the businesses the plans name exist (in the warehouse or a businesses file of
        the batch) and know the timezone of every local time; raise if anything is unsettled."""
        unknown: dict[str, list[str]] = {}
        for plan in plans:
            for part in plan.parts:
                for business in sorted(part.business_ids):
                    if business not in self.known:
                        unknown.setdefault(business, []).append(str(plan.path))
            for part in plan.parts:
                if part.local_times:
                    part.timezones = {b: self.options.timezone or self.known.get(b) or "UTC"
                                      for b in part.business_ids}
        for business, files in unknown.items():
            self.problems.append(
                f"unknown business {business!r} (for {', '.join(files[:3])}"
                f"{' …' if len(files) > 3 else ''}): ingest a businesses file that defines it "
                "(business_id,name,timezone,recipients) first, or in the same command")
        if self.problems:
            raise PlanError("nothing was ingested:\n  " + "\n  ".join(self.problems))
