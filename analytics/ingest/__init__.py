"""Ingest platform exports and our canonical files into the warehouse.

``ingest_paths`` is the entry point: it expands folders, plans every file (format, business,
timezone, year, observation day: see ``plan.py``) and stops before writing anything if some of
that cannot be settled; then it ingests businesses files before post files (posts name their
business), one transaction per file, writing each file's rejected rows to a rejects CSV.
``registry.py`` lists the formats; one module per platform declares its adapter.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb

from analytics import AnalyticsError
from analytics.ingest.formats import UnknownFormat
from analytics.ingest.load import FileResult, ingest_file
from analytics.ingest.mapping import AccountMap
from analytics.ingest.plan import FilePlan, Options, PlanError, Planner
from analytics.ingest.registry import FORMATS
from analytics.ingest.tables import UnreadableFile

__all__ = ["FORMATS", "FileResult", "Options", "PlanError", "expand_paths", "ingest_paths"]

SUPPORTED_SUFFIXES = (".csv", ".parquet", ".xlsx")

#: Folders never searched for exports: our own rejects, and hidden folders.
SKIPPED_FOLDERS = ("rejects",)

#: DuckDB's memory while ingesting: beyond it, large files spill to disk instead of growing.
INGEST_MEMORY_LIMIT = "2GB"


def _searched(path: Path, root: Path) -> bool:
    parts = path.relative_to(root).parts[:-1]
    return not any(p.startswith(".") or p in SKIPPED_FOLDERS for p in parts)


def expand_paths(paths: Iterable[str | Path], exclude: Iterable[Path] = ()) -> list[Path]:
    """Files named, and the supported files inside folders named (recursively, leaving out
    hidden folders, ``rejects/``, office lock files and the files in ``exclude``), in order."""
    excluded = {p.resolve() for p in exclude}
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files += sorted(
                p for p in path.rglob("*")
                if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES
                and not p.name.startswith((".", "~$")) and _searched(p, path)
                and p.resolve() not in excluded
            )
        elif path.is_file():
            files.append(path)
        else:
            raise AnalyticsError(f"{path}: no such file or folder")
    return files


def _businesses_first(plans: list[FilePlan]) -> list[FilePlan]:
    """Businesses files go first: post rows name their business, which must exist; comments
    and experiments come last, as they name their posts."""
    return sorted(plans, key=lambda p: {"businesses": 0, "comments": 2,
                                        "experiments": 2}.get(p.kind, 1))


def ingest_paths(
    con: duckdb.DuckDBPyConnection,
    paths: Iterable[str | Path],
    *,
    rejects_dir: Path,
    observed_on: date | None = None,
    business: str | None = None,
    platform: str | None = None,
    timezone: str | None = None,
    year: int | None = None,
    mapping: AccountMap | None = None,
    today: date | None = None,
    on_file: Callable[[FileResult], None] | None = None,
) -> list[FileResult]:
    """Ingest every file under ``paths``; a refused file is reported and the others go on.

    Raises :class:`PlanError` (nothing written) when a file's business, timezone or year cannot
    be settled. ``today`` is the observation day of exports that say none (default: today).
    """
    mapping = mapping or AccountMap()
    options = Options(business=business, platform=platform, observed_on=observed_on,
                      timezone=timezone, year=year, mapping=mapping,
                      today=today or datetime.now(UTC).date())
    files = expand_paths(paths, exclude=[mapping.source] if mapping.source else [])
    planner = Planner(con, options)
    plans = [planner.plan(path) for path in files]
    planner.finish(plans)
    now = datetime.now(UTC)
    results: list[FileResult] = []
    previous_limit = con.execute("SELECT current_setting('memory_limit')").fetchone()[0]
    con.execute("SET memory_limit = ?", [INGEST_MEMORY_LIMIT])
    ordered = _businesses_first(plans)
    stopped: str | None = None
    try:
        for index, plan in enumerate(ordered):
            try:
                if plan.error:
                    raise UnreadableFile(plan.error)
                done = ingest_file(con, plan, now=now, rejects_dir=rejects_dir)
            except (UnknownFormat, UnreadableFile) as exc:
                done = [FileResult(plan.path, error=str(exc))]
            except duckdb.FatalException as exc:
                # a full disk: DuckDB rolled the file back and refuses every later write on
                # this connection, so the files after it are not tried (and not lost: the
                # next run ingests them)
                first = str(exc).strip().splitlines()[0]
                done = [FileResult(plan.path, error=f"{plan.path}: nothing loaded: the "
                                   f"warehouse could not be written ({first})")]
                left = len(ordered) - index - 1
                files = "file" if left == 1 else "files"
                untried = f" and {left} more {files} not tried" if left else ""
                stopped = (f"the warehouse could not be written (a full disk?); {plan.path} "
                           f"was rolled back{untried}"
                           "; free some space and run the same ingest again")
            except duckdb.Error as exc:  # rolled back: the warehouse is as it was
                first = str(exc).strip().splitlines()[0]
                done = [FileResult(plan.path, error=f"{plan.path}: could not be loaded ({first})")]
            except OSError as exc:  # the rejects file could not be written (a full disk)
                reason = exc.strerror or str(exc)
                done = [FileResult(plan.path, error=f"{plan.path}: nothing loaded: "
                                   f"{exc.filename or 'a file'}: {reason}")]
            results += done
            for result in done:
                if on_file:
                    on_file(result)
            if stopped:
                break
    finally:
        with contextlib.suppress(duckdb.Error):  # an invalidated connection takes no settings
            con.execute("SET memory_limit = ?", [previous_limit])
    if stopped:
        raise AnalyticsError(stopped)
    return results


def describe_formats() -> list[tuple[str, str, str]]:
    """(name, platforms, description) of every format, for the CLI's help and the README."""
    return [(f.name, ", ".join(f.platforms) or "any", f.description) for f in FORMATS]


__all__ += ["describe_formats"]
