"""Writing many businesses' reports: models shard by shard, rendering in worker processes.

The main process builds the report models one shard at a time (one read and one snapshot
per shard of a few hundred businesses, see :class:`analytics.report.ReportBatch`) and hands
each model, as its ``report.json`` bytes, to a pool of worker processes that draw the charts,
fill the templates, lay out the PDF and write the files. So:

* every output is written atomically (temp file, then rename), and a report's stamp
  (``.render.json``) is written last: a crash never leaves a report that looks finished;
* one business failing (its model, its brand file, its rendering) is recorded and the batch
  goes on; the caller reports the failures and exits non-zero;
* a business whose inputs have not changed is skipped: the stamp holds a fingerprint of the
  model's bytes, the templates, the code and library versions, the brand files and the
  formats, and a re-run compares it (``force=True`` renders anyway);
* workers are forked from a server process that has imported and warmed up matplotlib,
  Jinja, WeasyPrint and playwright once (``forkserver`` preload; the Chromium engine's
  browser is started by each worker on its first PDF, never in the server), and are
  replaced after ``config.RENDER_TASKS_PER_WORKER`` reports, because WeasyPrint does not
  give memory back (200 with the chromium engine, whose browser costs a new worker 1.4
  CPU-s to start; a replaced worker's browser closes with it).
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import multiprocessing
import os
import resource
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import duckdb
import orjson

from analytics import AnalyticsError, __version__, config
from analytics.metrics.period import Period
from analytics.render.pool import exit_with_parent, run_resilient
from analytics.report import Report, ReportBatch, atomic_write, remote, report_dir
from analytics.warehouse.access import DataState, Warehouse

STAMP = ".render.json"
FILES = {"json": "report.json", "html": "report.html", "pdf": "report.pdf",
         "xlsx": "report.xlsx", "csv": "csv/overview.csv"}
#: Libraries whose version changes what a report looks like.
RENDER_LIBRARIES = ("jinja2", "matplotlib", "weasyprint", "pydyf", "fonttools", "playwright")


@dataclass(frozen=True)
class RenderOptions:
    """What to write and how: output folder (or fsspec URL), formats, template and brand
    folders. ``run`` names one run of a cluster batch: a retried task finds the reports its
    dead attempt wrote stamped with it, and counts them written, not skipped."""

    out: Path | str = config.DEFAULT_REPORTS_DIR
    formats: tuple[str, ...] = config.DEFAULT_REPORT_FORMATS
    templates: Path | None = None
    brands_dir: Path | None = None
    force: bool = False
    run: str = ""
    #: ``chromium`` or ``weasyprint`` (render.render_pdf); the default is read where the
    #: options are made (``$ANALYTICS_PDF_ENGINE``), so workers elsewhere use the same
    pdf_engine: str = field(default_factory=config.pdf_engine)

    def __repr__(self) -> str:
        # a task's arguments reach logs (Dask prints a failed task's, and so does a traceback):
        # an --out URL's password never does
        fields = ", ".join(f"{f.name}={getattr(self, f.name)!r}" for f in dataclasses.fields(self)
                           if f.name != "out")
        out = remote.shown(self.out) if remote.is_url(self.out) else self.out
        return f"RenderOptions(out={out!r}, {fields})"


@dataclass(frozen=True)
class Task:
    """One report to render: everything a worker needs, picklable and small."""

    business_id: str
    payload: bytes  # report.json
    folder: Path | str  # a local folder, or an fsspec URL (see analytics.report.remote)
    fingerprint: str
    options: RenderOptions
    #: every post of the period (JSON), for the csv and xlsx exports; empty otherwise
    posts: bytes = b""


@dataclass
class Outcome:
    """What happened to one business: ``written``, ``skipped`` (unchanged) or ``failed``."""

    business_id: str
    status: str
    files: list[Path | str] = field(default_factory=list)  # a URL's files as URLs
    error: str | None = None
    seconds: dict[str, float] = field(default_factory=dict)
    pid: int = 0
    peak_rss_mib: float = 0.0
    #: CPU time the worker spent on this report (unlike ``seconds``, not stretched when
    #: other processes compete for the cores)
    cpu_seconds: float = 0.0


@dataclass
class BatchResult:
    period: Period
    as_of: date
    outcomes: list[Outcome]
    index: Path | str | None
    #: CPU-side seconds per stage over the batch (``queries`` in the main process, the
    #: rest summed over workers)
    seconds: dict[str, float]
    wall_seconds: float
    #: how long the batch held the warehouse (its snapshot read), in seconds
    held_seconds: float = 0.0
    #: the history rows the batch computed, for the caller to store (the batch reads only)
    history_rows: list[Any] = field(default_factory=list)

    def with_status(self, status: str) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == status]

    @property
    def peak_rss_per_worker(self) -> dict[int, float]:
        peaks: dict[int, float] = {}
        for outcome in self.outcomes:
            if outcome.pid:
                peaks[outcome.pid] = max(peaks.get(outcome.pid, 0.0), outcome.peak_rss_mib)
        return peaks


# --- fingerprints ------------------------------------------------------------------------------


def _hash_files(digest: Any, paths: Sequence[Path], root: Path | None = None) -> None:
    for path in paths:
        name = str(path.relative_to(root)) if root and path.is_relative_to(root) else str(path)
        digest.update(name.encode() + b"\0" + path.read_bytes() + b"\0")


def code_fingerprint() -> str:
    """The package's code and queries, and the versions of the libraries that draw."""
    digest = hashlib.sha256(__version__.encode())
    package = config.PACKAGE_DIR
    files = sorted(p for p in package.rglob("*") if p.suffix in {".py", ".sql"})
    _hash_files(digest, files, package)
    for name in RENDER_LIBRARIES:
        try:
            digest.update(f"{name}={metadata.version(name)};".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{name}=none;".encode())
    return digest.hexdigest()


def templates_fingerprint(templates: Path | None) -> str:
    from analytics.render import template_files

    digest = hashlib.sha256()
    _hash_files(digest, template_files(templates))
    return digest.hexdigest()


def report_fingerprint(payload: bytes, shared: str, business_id: str,
                       options: RenderOptions) -> str:
    """Model bytes + code/templates (``shared``) + formats + the business's brand (checked
    here, so a broken brand file fails that business before any rendering)."""
    from analytics.render import load_brand

    brand = load_brand(business_id, options.brands_dir)
    digest = hashlib.sha256(shared.encode() + ",".join(options.formats).encode())
    if "pdf" in options.formats:  # another engine, another PDF
        digest.update(options.pdf_engine.encode())
        if options.pdf_engine == "chromium":  # and another Chromium (an apt upgrade)
            from analytics.render.pdf_chromium import version

            digest.update(version().encode())
    digest.update(payload)
    digest.update(f"{brand.colour}|{brand.logo or ''}".encode())
    return digest.hexdigest()


def read_stamp(folder: Path | str | remote.Folder) -> dict[str, Any] | None:
    try:
        if remote.is_url(folder):
            folder = remote.Folder.open(folder)
        if isinstance(folder, remote.Folder):
            return orjson.loads(folder.read(STAMP) or b"null")
        return orjson.loads((Path(folder) / STAMP).read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return None


def current_stamp(folder: Path | str, fingerprint: str,
                  formats: Sequence[str]) -> dict[str, Any] | None:
    """The stamp, when it matches and every file it promises is there."""
    if remote.is_url(folder):
        folder = remote.Folder.open(folder)  # one connection, one listing for the files
        present = folder.files()
        exists = [FILES[f] in present for f in formats]
    else:
        exists = [(Path(folder) / FILES[f]).is_file() for f in formats]
    stamp = read_stamp(folder) if all(exists) else None
    return stamp if stamp and stamp.get("fingerprint") == fingerprint else None


# --- the work of one report (runs in a worker) --------------------------------------------------


def render_task(task: Task) -> Outcome:
    """Render and write one report. Never raises: a failure is returned as an outcome, so
    one business cannot stop the batch (nor fail to pickle its exception). A report for an
    fsspec URL is rendered into a scratch folder, then copied there, its stamp last."""
    if not remote.is_url(task.folder):
        return _render(task)
    url = str(task.folder)
    with tempfile.TemporaryDirectory(prefix="analytics-report-") as staging:
        outcome = _render(dataclasses.replace(task, folder=Path(staging)))
        started = time.perf_counter()
        try:
            if outcome.status == "written":
                outcome.files = list(remote.upload(Path(staging), url, STAMP))
            else:  # as for a local folder: a stale stamp must not vouch for it next time
                remote.Folder.open(url).remove(STAMP)
        except Exception as exc:  # noqa: BLE001 - recorded per business; the batch goes on
            reason = f"cannot write to {remote.shown(url)}: {remote.reason(url, exc)}"
            outcome.error = reason if outcome.status == "written" else f"{outcome.error}; {reason}"
            outcome.status, outcome.files = "failed", []
        outcome.seconds["write"] = (outcome.seconds.get("write", 0.0)
                                    + time.perf_counter() - started)
    return outcome


def _render(task: Task) -> Outcome:
    from analytics import render
    from analytics.render import charts, exports

    seconds: dict[str, float] = {}
    timer = render.Timer()
    cpu_started = time.process_time()
    options = task.options
    written: list[Path] = []
    try:
        report = orjson.loads(task.payload)
        brand = render.load_brand(task.business_id, options.brands_dir)
        wanted = set(options.formats)
        if "json" in wanted:
            with timer.stage("write"):
                written.append(atomic_write(task.folder / FILES["json"], task.payload))
        if wanted & {"html", "pdf"}:
            chart_formats = (["svg"] if "html" in wanted else []) + (
                [config.PDF_CHART_FORMAT] if "pdf" in wanted else [])
            with timer.stage("charts"):
                drawn = charts.render_charts(report, chart_formats, accent=brand.colour)
            now = datetime.now(UTC)
            if "html" in wanted:
                with timer.stage("html"):
                    html = render.render_html(report, charts=drawn, brand=brand,
                                              templates=options.templates, generated_at=now)
                with timer.stage("write"):
                    written.append(atomic_write(task.folder / FILES["html"], html))
            if "pdf" in wanted:
                with timer.stage("pdf"):
                    printable = render.render_html(report, charts=drawn, brand=brand,
                                                   templates=options.templates, target="pdf",
                                                   generated_at=now)
                    pdf = render.render_pdf(printable, options.templates,
                                            resources=render.pdf_resources(drawn),
                                            engine=options.pdf_engine)
                with timer.stage("write"):
                    written.append(atomic_write(task.folder / FILES["pdf"], pdf))
        if wanted & set(exports.EXPORT_FORMATS):
            with timer.stage("write"):
                written += exports.write_exports(report, orjson.loads(task.posts or b"[]"),
                                                 task.folder, sorted(wanted))
        stamp = {
            "fingerprint": task.fingerprint,
            "business_id": task.business_id,
            "name": report["business"]["name"],
            "period": report["period"]["label"],
            "start": report["period"]["start"],
            "end": report["period"]["end"],
            "as_of": report["period"]["as_of"],
            "posts": report["overview"]["total_posts"],
            # what the agency overview (index.html) shows of each report
            "engagement": report["overview"]["total_engagement"],
            "engagement_rate": report["overview"]["avg_engagement_rate"],
            "growth_rate": report["overview"]["growth_rate"],
            # the model's own verdict: a change inside the usual range is not painted
            "growth_within_usual": report["overview"].get("growth_within_usual"),
            # no change when the period before was partly or not covered: the index says why
            "previous_partial": report["overview"].get("previous_partial", False),
            "previous_coverage": report["overview"].get("previous_coverage", "full"),
            "data_start": report["period"].get("data_start"),
            "complete": report["period"]["complete"],
            "files": [FILES[f] for f in config.REPORT_FORMATS if f in wanted],
            "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        if options.run:
            stamp["run"] = options.run
        atomic_write(task.folder / STAMP, orjson.dumps(stamp, option=orjson.OPT_INDENT_2))
        status, error = "written", None
    except Exception as exc:  # noqa: BLE001 - recorded per business; the batch goes on
        # a stale stamp must not make a half-written report look current next time
        with contextlib.suppress(OSError):
            (task.folder / STAMP).unlink(missing_ok=True)
        status, error = "failed", f"{type(exc).__name__}: {exc}"
    seconds.update(timer.seconds)
    return Outcome(task.business_id, status, written, error, seconds, os.getpid(),
                   resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                   time.process_time() - cpu_started)


# --- the batch ---------------------------------------------------------------------------------


def plan_task(business_id: str, result: Report | Exception, period: Period, shared: str,
              options: RenderOptions, state: DataState | None = None,
              posts: dict[str, list[Any]] | None = None) -> Task | Outcome:
    """The rendering task of one built model, or its outcome when there is nothing to render:
    ``skipped`` (unchanged since its last run) or ``failed`` (its model or brand file).
    ``state`` is the warehouse state the model was read from; ``posts`` every post of the
    period per business (the exports), read with it."""
    try:
        if isinstance(result, Exception):
            raise result
        folder = (remote.report_url(options.out, business_id, period)
                  if remote.is_url(options.out) else report_dir(options.out, business_id, period))
        rows = orjson.dumps(posts[business_id]) if posts and business_id in posts else b""
        fingerprint = report_fingerprint(result.to_json() + rows, shared, business_id, options)
        payload = report_payload(result, state)
        # at a URL, a server gone away fails this business with its reason, as anything else
        stamp = (current_stamp(folder, fingerprint, options.formats)
                 if options.run or not options.force else None)
    except AnalyticsError as exc:
        return Outcome(business_id, "failed", error=str(exc))
    except Exception as exc:  # noqa: BLE001 - one business never stops the batch
        error = (remote.reason(options.out, exc) if remote.is_url(options.out)
                 else f"{type(exc).__name__}: {exc}")  # a URL's password never shown
        return Outcome(business_id, "failed", error=error)
    if stamp and options.run and stamp.get("run") == options.run:
        # written by this very run: a task retried after its worker died finds it so
        return Outcome(business_id, "written", files=[
            remote.join(remote.shown(folder), f) if remote.is_url(folder) else Path(folder) / f
            for f in stamp.get("files", [])])
    if stamp and not options.force:
        return Outcome(business_id, "skipped")
    return Task(business_id, payload, folder, fingerprint, options, rows)


def check_formats(formats: Sequence[str]) -> None:
    unknown = [f for f in formats if f not in FILES]
    if unknown or not formats:
        raise AnalyticsError(f"formats are {', '.join(FILES)}; not {', '.join(unknown) or '—'}")


def _pool(jobs: int, tasks_per_worker: int) -> ProcessPoolExecutor:
    methods = multiprocessing.get_all_start_methods()
    if "forkserver" in methods:
        context = multiprocessing.get_context("forkserver")
        # imported (and warmed up) once in the server; every worker is forked from it
        context.set_forkserver_preload(["analytics.render.preload"])
    else:  # pragma: no cover - not on Linux or macOS
        context = multiprocessing.get_context("spawn")
    return ProcessPoolExecutor(max_workers=jobs, mp_context=context,
                               max_tasks_per_child=tasks_per_worker,
                               initializer=exit_with_parent, initargs=(os.getpid(),))


def _timed(iterator: Iterator[Any], seconds: dict[str, float]) -> Iterator[Any]:
    """Yield from ``iterator``, adding the time spent producing each item to ``queries``."""
    while True:
        started = time.perf_counter()
        try:
            item = next(iterator)
        except StopIteration:
            return
        finally:
            seconds["queries"] = seconds.get("queries", 0.0) + time.perf_counter() - started
        yield item


def report_payload(report: Report, state: DataState | None) -> bytes:
    """``report.json``: the model, plus the as-of state of the warehouse it was read from
    (``warehouse``: observations and the last ingest), so a report says which ingests it
    includes. The fingerprint covers the model alone: an ingest for other businesses does
    not re-render a report whose numbers it did not change (that report.json keeps the state
    it was computed from, which still describes its numbers)."""
    return dataclasses.replace(report, data_state=state).to_json()


def run_batch(
    source: duckdb.DuckDBPyConnection | Warehouse,
    business_ids: Sequence[str] | None,
    period: Period,
    as_of: date,
    options: RenderOptions,
    *,
    jobs: int = 1,
    limit: int = config.CONTENT_LIMIT_DEFAULT,
    on_outcome: Callable[[Outcome], None] | None = None,
    on_start: Callable[[int], None] | None = None,
) -> BatchResult:
    """Write the reports of ``business_ids`` (all when None) for ``period`` under
    ``options.out``; ``jobs`` worker processes (0: render in this process).

    Given a :class:`Warehouse`, the batch reads it shard by shard, each shard through its own
    short read-only connection closed as soon as that shard is read, before its reports are
    rendered: an ingest waits for one shard's read, not the whole batch, and each report comes
    from one consistent read (its ``report.json`` records the state it saw).
    ``result.held_seconds`` adds up the reads. Given a connection (``send``, under its writer
    lock), the shards are read on it and the caller keeps it.

    ``on_start(total)`` is called once the businesses are known and ``on_outcome`` after each
    business (a progress bar). Failures are in the result, never raised.
    """
    started = time.perf_counter()
    check_formats(options.formats)
    batch = ReportBatch(source, business_ids, period, as_of, limit=limit, read_state=True,
                        read_posts=bool(set(options.formats) & {"csv", "xlsx"}))
    result = _render_all(batch, options, jobs, on_outcome, on_start, started)
    result.held_seconds = batch.held_seconds
    return result


def _render_all(
    batch: ReportBatch,
    options: RenderOptions,
    jobs: int,
    on_outcome: Callable[[Outcome], None] | None,
    on_start: Callable[[int], None] | None,
    started: float,
) -> BatchResult:
    if on_start:
        on_start(batch.total)
    shared = code_fingerprint() + templates_fingerprint(options.templates)
    seconds: dict[str, float] = {}
    outcomes: list[Outcome] = []
    def record(outcome: Outcome) -> None:
        outcomes.append(outcome)
        for stage, value in outcome.seconds.items():
            seconds[stage] = seconds.get(stage, 0.0) + value
        if on_outcome:
            on_outcome(outcome)

    def tasks() -> Iterator[Task]:
        # shard by shard: each shard read (its warehouse session closed), then its reports
        # assembled and handed to the workers before the next shard is read
        for shard in _timed(batch.read_shards(), seconds):
            for business, result in _timed(shard.reports(batch.limit), seconds):
                planned = plan_task(business.business_id, result, batch.period, shared,
                                    options, shard.state, shard.posts)
                if isinstance(planned, Task):
                    yield planned
                else:
                    record(planned)

    # JSON and spreadsheets need no rendering stack: no pool for them
    in_process = jobs <= 0 or set(options.formats) <= {"json", "csv", "xlsx"}
    if in_process:
        for task in tasks():
            record(render_task(task))
    else:
        _run_pool(tasks(), jobs, record, config.tasks_per_worker(options.pdf_engine))
    from analytics.render.index import write_index  # index reads this module's stamps

    index = write_index(options.out, options.templates) if outcomes else None
    outcomes.sort(key=lambda o: o.business_id)  # completion order varies; ids do not
    return BatchResult(batch.period, batch.as_of, outcomes, index, seconds,
                       time.perf_counter() - started, history_rows=batch.history_rows)


def _run_pool(tasks: Iterator[Task], jobs: int, record: Callable[[Outcome], None],
              tasks_per_worker: int = config.RENDER_TASKS_PER_WORKER) -> None:
    """Feed ``tasks`` to ``jobs`` workers, at most a few per worker in flight, so the main
    process never holds a thousand models at once. A worker that dies (out of memory, say)
    costs at most its own report: the pool is replaced and the rest go on."""
    run_resilient(
        tasks, render_task, lambda: _pool(jobs, tasks_per_worker),
        jobs * config.RENDER_QUEUE_PER_WORKER,
        on_result=lambda task, outcome: record(outcome),
        on_failure=lambda task, reason: record(Outcome(task.business_id, "failed",
                                                       error=reason)),
    )
