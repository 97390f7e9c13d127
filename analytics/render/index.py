"""``reports/index.html``: the agency's overview of every report written under an output
folder (local or at an fsspec URL), read from the reports' stamps so it never opens the
warehouse."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import orjson

from analytics.metrics.period import Period
from analytics.metrics.results import previous_coverage
from analytics.render.batch import STAMP, read_stamp
from analytics.report import atomic_write, remote

#: Files beside a report that the index links to when they exist (analytics notebook).
NOTEBOOK_FILES = ("notebook.html", "notebook.ipynb")


def _stamps(out: Path | str) -> Iterator[tuple[str, dict[str, Any] | None,
                                              Callable[[str], bool]]]:
    """``(business folder name, stamp, whether a file beside the stamp exists)`` for every
    ``<out>/*/*/.render.json``, local or at a URL."""
    if remote.is_url(out):
        for business, data, exists in remote.stamps(str(out), STAMP):
            try:
                stamp = orjson.loads(data or b"null")
            except orjson.JSONDecodeError:
                stamp = None
            yield business, stamp, exists
        return
    for stamp_path in Path(out).glob(f"*/*/{STAMP}"):
        yield (stamp_path.parent.parent.name, read_stamp(stamp_path.parent),
               lambda name, folder=stamp_path.parent: (folder / name).is_file())


def index_entries(out: Path | str) -> list[dict[str, Any]]:
    """Every report under ``out`` that finished (has a stamp and its files), by business
    then newest period first (by its dates, not its label: 2026-W47 after 2026-11)."""
    entries = []
    for business, stamp, exists in _stamps(out):
        if not stamp or stamp.get("business_id") != business:
            continue
        files = [f for f in stamp.get("files", []) if exists(f)]
        files += [f for f in NOTEBOOK_FILES if exists(f)]
        if files:
            unknown = {"engagement": None, "engagement_rate": None, "growth_rate": None,
                       "growth_within_usual": None, "previous_partial": False,
                       "previous_coverage": "full", "data_start": None,
                       "complete": True}  # older stamps
            if stamp.get("previous_partial") and "previous_coverage" not in stamp:
                # a stamp from before the key: the same rule, against the whole period before
                stamp["previous_coverage"] = previous_coverage(
                    date.fromisoformat(stamp["data_start"]),
                    Period.from_dates(date.fromisoformat(stamp["start"]),
                                      date.fromisoformat(stamp["end"])).previous())
            stamp.pop("run", None)  # which cluster run wrote it: no part of the overview
            entries.append(unknown | stamp | {"files": files})
    entries.sort(key=lambda e: (e["end"], e["start"]), reverse=True)
    entries.sort(key=lambda e: e["business_id"])
    return entries


def write_index(out: Path | str, templates: Path | None = None) -> Path | str:
    """``<out>/index.html``: a table of every business and period generated, with links."""
    from analytics.render import INDEX_TEMPLATE, environment, fmt_day

    entries = index_entries(out)
    now = datetime.now(UTC)
    latest = {}  # each business's latest period: the agency's overview
    for entry in entries:
        latest.setdefault(entry["business_id"], entry)
    html = environment(templates).get_template(INDEX_TEMPLATE).render(
        entries=entries,
        latest=list(latest.values()),
        businesses=len({e["business_id"] for e in entries}),
        generated_at=f"{fmt_day(now.date())}, {now:%H:%M} UTC",
    )
    if remote.is_url(out):
        return remote.put(str(out), "index.html", html)
    return atomic_write(Path(out) / "index.html", html)
