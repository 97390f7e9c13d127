"""Ingest platform exports and our canonical files into the warehouse.

``ingest_paths`` is the entry point: it expands folders, ingests businesses files before post
files (posts name their business), one transaction per file, and writes each file's rejected
rows to a rejects CSV. See ``formats.py`` for how a format is recognised.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb

from analytics import AnalyticsError
from analytics.ingest.formats import FORMATS, UnknownFormat, detect
from analytics.ingest.load import FileResult, ingest_file
from analytics.ingest.read import UnreadableFile, read_header

__all__ = ["FORMATS", "FileResult", "detect", "expand_paths", "ingest_paths"]

SUPPORTED_SUFFIXES = (".csv", ".parquet")


#: Folders never searched for exports: our own rejects, and hidden folders.
SKIPPED_FOLDERS = ("rejects",)


def _searched(path: Path, root: Path) -> bool:
    parts = path.relative_to(root).parts[:-1]
    return not any(p.startswith(".") or p in SKIPPED_FOLDERS for p in parts)


def expand_paths(paths: Iterable[str | Path]) -> list[Path]:
    """Files named, and the supported files inside folders named (recursively, leaving out
    hidden folders and ``rejects/``), in order."""
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files += sorted(
                p for p in path.rglob("*")
                if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES
                and not p.name.startswith(".") and _searched(p, path)
            )
        elif path.is_file():
            files.append(path)
        else:
            raise AnalyticsError(f"{path}: no such file or folder")
    return files


def _businesses_first(files: list[Path]) -> list[Path]:
    """Businesses files go first: post rows name their business, which must exist."""

    def kind(path: Path) -> int:
        try:
            fmt, _ = detect(read_header(path), str(path))
        except AnalyticsError:
            return 1  # refused later, in its turn, with the full message
        return 0 if fmt.kind == "businesses" else 1

    return sorted(files, key=kind)


def ingest_paths(
    con: duckdb.DuckDBPyConnection,
    paths: Iterable[str | Path],
    *,
    observed_on: date | None = None,
    rejects_dir: Path,
    on_file: Callable[[FileResult], None] | None = None,
) -> list[FileResult]:
    """Ingest every file under ``paths``; a refused file is reported and the others go on."""
    files = _businesses_first(expand_paths(paths))
    now = datetime.now(UTC)
    results = []
    for path in files:
        try:
            result = ingest_file(
                con, path, observed_on=observed_on or date.today(), now=now,
                rejects_dir=rejects_dir,
            )
        except (UnknownFormat, UnreadableFile) as exc:
            result = FileResult(path, error=str(exc))
        except duckdb.Error as exc:  # rolled back: the warehouse is as it was
            first = str(exc).strip().splitlines()[0]
            result = FileResult(path, error=f"{path}: could not be loaded ({first})")
        results.append(result)
        if on_file:
            on_file(result)
    return results
