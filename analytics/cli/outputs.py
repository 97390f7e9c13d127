"""Commands that write outputs per business: report (HTML, PDF, JSON) and notebook."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

import click

from analytics import AnalyticsError, config
from analytics.cli.options import (
    business_options,
    cluster_options,
    db_option,
    handle_errors,
    out_option,
    parse_params,
    pdf_engine_option,
    period_options,
    selected_ids,
    tell_waiting,
    wait_option,
    writable_folder,
)
from analytics.metrics.labels import plural

FORMATS = config.REPORT_FORMATS


def _formats(value: str) -> list[str]:
    chosen = [f.strip().lower() for f in value.split(",") if f.strip()]
    unknown = [f for f in chosen if f not in FORMATS]
    if unknown or not chosen:
        raise AnalyticsError(f"--format takes a comma-separated list of {', '.join(FORMATS)}; "
                             f"not {', '.join(unknown) or 'nothing'}")
    return list(dict.fromkeys(chosen))


@click.command()
@db_option
@business_options
@period_options
@out_option(urls=True)
@click.option("--format", "format_", default=",".join(config.DEFAULT_REPORT_FORMATS),
              show_default=True, help=f"Comma-separated outputs: {', '.join(FORMATS)}.")
@click.option("--limit", type=int, default=config.CONTENT_LIMIT_DEFAULT, show_default=True,
              help="Top posts listed (1–100).")
@click.option("--jobs", "-j", type=click.IntRange(0, 64), default=config.default_jobs(),
              show_default=True, help="Worker processes rendering HTML and PDF "
                                      "(0: render in this process).")
@click.option("--force", is_flag=True,
              help="Render every report, even those whose inputs have not changed.")
@pdf_engine_option
@click.option("--templates", type=click.Path(file_okay=False, exists=True, path_type=Path),
              help="Folder of templates to use before the built-in ones (copy files from "
                   "analytics/render/templates/ and edit them to restyle).")
@click.option("--brands", "brands_dir", type=click.Path(file_okay=False, path_type=Path),
              default=config.BRANDS_DIR, show_default=True,
              help="Folder of <business_id>.json brand files: {\"colour\": \"#1f6f5c\", "
                   "\"logo\": \"logo.png\"}.")
@cluster_options
@wait_option
@handle_errors
def report(db: Path | None, business_ids: tuple[str, ...], all_businesses: bool,
           period: str | None, start: str | None, end: str | None, days: int | None,
           as_of: str | None, out: Path | str, format_: str, limit: int, jobs: int, force: bool,
           pdf_engine: str | None, templates: Path | None, brands_dir: Path, cluster: str | None,
           published: Path | None, wait: float | None) -> None:
    """Build each business's report for a period and write it under --out.

    Writes reports/<business>/<period>/report.{html,pdf,json} and reports/index.html.
    --out may be an fsspec URL (ftp://user:password@host/reports, s3://bucket/reports with
    s3fs installed): with --cluster, the workers write there.
    Without a period option, the last complete ISO week before the as-of date is reported.
    A business whose data, templates and code have not changed since its last report is
    skipped (--force renders it anyway). One business failing does not stop the others;
    the exit status is 1 if any failed.

    \b
    Example:  analytics report --all --period 2026-W47 --as-of 2026-11-23
              analytics report --business northwind-coffee --days 28 --format pdf
              analytics report --all --templates my-templates/ --force
              analytics report --all --cluster tcp://10.0.0.5:8786 --out /shared/reports
    """
    from tqdm import tqdm

    from analytics.metrics.period import resolve_period
    from analytics.render.batch import RenderOptions, run_batch
    from analytics.report import remote
    from analytics.warehouse.access import Warehouse
    from analytics.warehouse.businesses import list_businesses

    formats = _formats(format_)
    if remote.is_url(out):
        remote.Folder.open(out).check()  # an unknown protocol, a server down: one line, now
    else:
        writable_folder(out, "--out")
    if not config.CONTENT_LIMIT_RANGE[0] <= limit <= config.CONTENT_LIMIT_RANGE[1]:
        raise AnalyticsError(f"--limit must be from 1 to 100, not {limit}")
    ids = selected_ids(business_ids, all_businesses)
    resolve_period(period, start, end, days, as_of)  # a bad option fails before any work
    engine = config.pdf_engine(pdf_engine)
    if "pdf" in formats and engine == "chromium" and not cluster:
        from analytics.render.pdf_chromium import check_available

        check_available()  # no browser here: one line now, not one per report (on a cluster
        # the workers print, and this host need not have a browser)
    options = RenderOptions(out=out, formats=tuple(formats), templates=templates,
                            brands_dir=brands_dir, force=force, pdf_engine=engine)
    path = config.db_path(db)
    # read through short connections: one to learn each business's local day and cadence,
    # then each batch's own, one per shard, each released once its shard is read (before
    # rendering)
    source = Warehouse(path, timeout=wait, on_wait=tell_waiting)
    runs = planned_runs(source, ids, period, start, end, days, as_of)
    if cluster:
        from analytics.warehouse.published import publish

        folder = config.published_path(published, path)
        with source.read() as con:
            list_businesses(con, ids)  # an unknown --business: one line, before any work
            published_now = publish(con, folder)
        click.echo(f"published {folder}/: {plural(len(published_now.written), 'shard')} written, "
                   f"{len(published_now.unchanged)} unchanged", err=True)
    bar = tqdm(unit="report", desc="reports", disable=None)

    def progress(outcome) -> None:
        if outcome.status == "failed":
            tqdm.write(f"failed: {outcome.business_id}: {outcome.error}", file=sys.stderr)
        bar.update(1)

    def grow_bar(total: int) -> None:  # one bar over every batch (local days, cadences)
        bar.total = (bar.total or 0) + total
        bar.refresh()

    results = []
    try:
        for members, the_period, as_of_date in runs:
            if cluster:
                from analytics.render.cluster import run_cluster_batch

                results.append(run_cluster_batch(cluster, folder, members, the_period,
                                                 as_of_date, options, limit=limit,
                                                 on_outcome=progress, on_start=grow_bar))
            else:
                results.append(run_batch(source, members, the_period, as_of_date, options,
                                         jobs=jobs, limit=limit, on_outcome=progress,
                                         on_start=grow_bar))
    finally:
        bar.close()
    store_history(path, [row for result in results for row in result.history_rows], wait)
    failed = []
    for result in results:
        written, skipped = result.with_status("written"), result.with_status("skipped")
        failed += result.with_status("failed")
        click.echo(f"{result.period.label} as of {result.as_of}: {plural(len(written), 'report')} "
                   f"written to {remote.shown(out)}/, {len(skipped)} unchanged (skipped; "
                   f"--force to redo), "
                   f"{len(result.with_status('failed'))} failed")
        if len(written) == 1 and written[0].files:
            click.echo(f"  {remote.parent(written[0].files[0])}/")
    index = next((r.index for r in reversed(results) if r.index), None)
    if index:
        click.echo(f"  open {index}")
    if failed:
        for outcome in failed:
            click.secho(f"  {outcome.business_id}: {outcome.error}", fg="red", err=True)
        sys.exit(1)


def planned_runs(source, ids: list[str] | None, period: str | None, start: str | None,
                 end: str | None, days: int | None, as_of: str | None,
                 now: datetime | None = None) -> list[tuple]:
    """``(business ids, period, as-of date)`` batches, for ``report`` and ``notebook`` alike.
    Without ``--as-of``, "today" (and so the default week) is each business's own local day
    at ``now`` (default: the present moment); without a period option, each business gets
    its cadence's last complete period (the ISO week, or the month for a monthly business).
    At most a few batches: local days × cadences."""

    from analytics.metrics.period import CADENCES, by_local_day, resolve_period
    from analytics.warehouse.businesses import list_businesses

    with source.read() as con:
        known = list_businesses(con, ids)
    if not known:
        return [(ids, *resolve_period(period, start, end, days, as_of))]
    explicit = bool(period or start or end or days)
    kind_of = {b.business_id: "week" if explicit else CADENCES.get(b.cadence, "week")
               for b in known}
    if as_of is None:
        by_day = by_local_day({b.business_id: b.timezone for b in known},
                              now or datetime.now(UTC))
    else:
        by_day = {None: [b.business_id for b in known]}
    runs = []
    for day, group in by_day.items():
        kinds: dict[str, list[str]] = {}
        for business_id in group:
            kinds.setdefault(kind_of[business_id], []).append(business_id)
        for kind, members in sorted(kinds.items()):
            runs.append((members, *resolve_period(period, start, end, days, day or as_of, kind)))
    return runs


def store_history(path: Path, rows: list, wait: float | None) -> None:
    """Upsert the history rows a run computed, briefly under the writer lock. A warehouse
    that stays busy is not a failure of the reports: said, and left (`analytics history`
    recomputes what is missing)."""
    from analytics.metrics.history import store
    from analytics.warehouse import access

    if not rows:
        return
    try:
        session = access.writing(path, "report (history)", timeout=wait, on_wait=tell_waiting)
    except AnalyticsError as exc:
        click.secho(f"note: history not stored ({exc}); `analytics history` recomputes it",
                    fg="yellow", err=True)
        return
    try:
        store(session.con, rows)
    finally:
        session.close()


@click.command()
@db_option
@business_options
@period_options
@out_option
@click.option("--jobs", type=int, default=None,
              help="Kernels running at once (default: one per core).")
@click.option("--param", "-p", "params", multiple=True, metavar="NAME=VALUE",
              help="Another parameter the notebook declares (repeatable).")
@click.option("--notebook", "template", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="Notebook to run (default: the packaged business_report.ipynb).")
@cluster_options
@wait_option
@handle_errors
def notebook(db: Path | None, business_ids: tuple[str, ...], all_businesses: bool,
             period: str | None, start: str | None, end: str | None, days: int | None,
             as_of: str | None, out: Path, jobs: int | None, params: tuple[str, ...],
             template: Path | None, cluster: str | None, published: Path | None,
             wait: float | None) -> None:
    """Execute the business report notebook with Papermill, once per business.

    Writes reports/<business>/<period>/notebook.ipynb (the audit trail, with outputs) and
    notebook.html. Parameters are checked before any kernel starts; a failing cell marks that
    business failed (its notebook is kept as notebook.failed.ipynb) and the others go on.

    \b
    Example:  analytics notebook --business northwind-coffee --period 2026-W47
              analytics notebook --all --jobs 2
              analytics notebook --all --cluster tcp://10.0.0.5:8786 --out /shared/reports
    """
    import os

    from tqdm import tqdm

    from analytics import notebooks as notebook_module
    from analytics.metrics.period import resolve_period
    from analytics.warehouse.access import Warehouse
    from analytics.warehouse.businesses import list_businesses

    ids = selected_ids(business_ids, all_businesses)
    resolve_period(period, start, end, days, as_of)  # a bad option fails before any work
    writable_folder(out, "--out")
    path = config.db_path(db)
    source = Warehouse(path, timeout=wait, on_wait=tell_waiting)
    with source.read() as con:
        clients = {b.business_id for b in list_businesses(con, ids, clients_only=True)}
        if cluster:
            from analytics.warehouse.published import publish

            folder = config.published_path(published, path)
            publish(con, folder)
    # the same plan as `report`: each business's own local today and its cadence's period
    runs = [([b for b in members if b in clients], the_period, as_of_date)
            for members, the_period, as_of_date in
            planned_runs(source, ids, period, start, end, days, as_of)]
    runs = [run for run in runs if run[0]]
    if wait is not None:  # the kernels read through the same helper: same bound
        os.environ["ANALYTICS_LOCK_TIMEOUT"] = f"{wait:g}"
    planned = [job for members, the_period, as_of_date in runs
               for job in notebook_module.plan(
                   members, the_period, as_of_date, path, out.resolve() if cluster else out,
                   parse_params(params), (template or notebook_module.TEMPLATE).resolve())]
    workers = jobs or max(1, os.cpu_count() or 1)
    failed = []
    with tqdm(total=len(planned), unit="notebook", desc="notebooks", disable=None) as bar:
        def progress(result: notebook_module.NotebookResult) -> None:
            if not result.ok:
                failed.append(result)
                tqdm.write(f"failed: {result.business_id}: {result.error}", file=sys.stderr)
            bar.update(1)

        if cluster:
            from analytics.notebooks.cluster import run_cluster_notebooks

            results = run_cluster_notebooks(cluster, folder, planned, on_result=progress)
        else:
            results = notebook_module.run_notebooks(planned, workers, on_result=progress)
    done = [r for r in results if r.ok]
    if done:  # the index links each report's notebook
        from analytics.render.index import write_index

        write_index(out)
    for members, the_period, as_of_date in runs or [([], *resolve_period(
            period, start, end, days, as_of))]:
        mine = [r for r in results if r.business_id in members]
        written = sum(r.ok for r in mine)
        click.echo(f"{the_period.label} as of {as_of_date}: {plural(written, 'notebook')} "
                   f"written to {out}/, {len(mine) - written} failed")
    if len(done) == 1:
        click.echo(f"  {done[0].notebook}\n  {done[0].html}")
    if failed:
        for result in failed:
            click.secho(f"  {result.business_id}: {result.error}", fg="red", err=True)
        sys.exit(1)


@click.command()
@handle_errors
def schema() -> None:
    """Print the JSON Schema of report.json (draft 2020-12).

    Generated from the report model's declaration, so it always matches what `report`
    writes. Keys are only ever added, never renamed.

    \b
    Example:
      analytics schema > report.schema.json
    """
    from analytics.report.schema import schema_json

    click.echo(schema_json().decode(), nl=False)
