"""Commands that write outputs per business: report (HTML, PDF, JSON) and notebook."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from analytics import AnalyticsError, config
from analytics.cli.options import (
    business_options,
    db_option,
    handle_errors,
    out_option,
    parse_params,
    period_options,
    selected_ids,
    tell_waiting,
    wait_option,
    writable_folder,
)

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
@out_option
@click.option("--format", "format_", default=",".join(config.DEFAULT_REPORT_FORMATS),
              show_default=True, help=f"Comma-separated outputs: {', '.join(FORMATS)}.")
@click.option("--limit", type=int, default=config.CONTENT_LIMIT_DEFAULT, show_default=True,
              help="Top posts listed (1–100).")
@click.option("--jobs", "-j", type=click.IntRange(0, 64), default=config.default_jobs(),
              show_default=True, help="Worker processes rendering HTML and PDF "
                                      "(0: render in this process).")
@click.option("--force", is_flag=True,
              help="Render every report, even those whose inputs have not changed.")
@click.option("--templates", type=click.Path(file_okay=False, exists=True, path_type=Path),
              help="Folder of templates to use before the built-in ones (copy files from "
                   "analytics/render/templates/ and edit them to restyle).")
@click.option("--brands", "brands_dir", type=click.Path(file_okay=False, path_type=Path),
              default=config.BRANDS_DIR, show_default=True,
              help="Folder of <business_id>.json brand files: {\"colour\": \"#1f6f5c\", "
                   "\"logo\": \"logo.png\"}.")
@click.option("--cluster", envvar="ANALYTICS_CLUSTER", metavar="ADDRESS", default=None,
              help="Run on this Dask scheduler (tcp://host:8786; or $ANALYTICS_CLUSTER): the "
                   "warehouse is published first, then one task per business shard.")
@click.option("--published", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="With --cluster: the published copy the workers read (a folder they all "
                   "reach). Default: $ANALYTICS_PUBLISHED, else published/ beside the warehouse.")
@wait_option
@handle_errors
def report(db: Path | None, business_ids: tuple[str, ...], all_businesses: bool,
           period: str | None, start: str | None, end: str | None, days: int | None,
           as_of: str | None, out: Path, format_: str, limit: int, jobs: int, force: bool,
           templates: Path | None, brands_dir: Path, cluster: str | None,
           published: Path | None, wait: float | None) -> None:
    """Build each business's report for a period and write it under --out.

    Writes reports/<business>/<period>/report.{html,pdf,json} and reports/index.html.
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
    from analytics.warehouse.access import Warehouse
    from analytics.warehouse.businesses import list_businesses

    formats = _formats(format_)
    writable_folder(out, "--out")
    if not config.CONTENT_LIMIT_RANGE[0] <= limit <= config.CONTENT_LIMIT_RANGE[1]:
        raise AnalyticsError(f"--limit must be from 1 to 100, not {limit}")
    ids = selected_ids(business_ids, all_businesses)
    options = RenderOptions(out=out, formats=tuple(formats), templates=templates,
                            brands_dir=brands_dir, force=force)
    # read through short connections: one to learn each business's local day, then each
    # batch's own, one per shard, each released once its shard is read (before rendering)
    source = Warehouse(config.db_path(db), timeout=wait, on_wait=tell_waiting)
    if as_of is None:  # "today" (and so the default week) is each business's own day
        from datetime import UTC, datetime

        from analytics.metrics.period import by_local_day

        with source.read() as con:
            zones = {b.business_id: b.timezone for b in list_businesses(con, ids)}
        groups = by_local_day(zones, datetime.now(UTC)) or {None: ids}
    else:
        groups = {None: ids}
    runs = [(group, *resolve_period(period, start, end, days, day or as_of))
            for day, group in groups.items()]
    if cluster:
        from analytics.warehouse.published import publish

        folder = config.published_path(published, config.db_path(db))
        with source.read() as con:
            list_businesses(con, ids)  # an unknown --business: one line, before any work
            published_now = publish(con, folder)
        click.echo(f"published {folder}/: {len(published_now.written)} shards written, "
                   f"{len(published_now.unchanged)} unchanged", err=True)
    bar = tqdm(unit="report", desc="reports", disable=None)

    def progress(outcome) -> None:
        if outcome.status == "failed":
            tqdm.write(f"failed: {outcome.business_id}: {outcome.error}", file=sys.stderr)
        bar.update(1)

    failed, lines, index = [], [], None
    try:
        for group, the_period, as_of_date in runs:  # one batch per local day
            if cluster:
                from analytics.render.cluster import run_cluster_batch

                result = run_cluster_batch(cluster, folder, group, the_period, as_of_date,
                                           options, limit=limit, on_outcome=progress,
                                           on_start=lambda total: bar.reset(total))
            else:
                result = run_batch(source, group, the_period, as_of_date, options, jobs=jobs,
                                   limit=limit, on_outcome=progress,
                                   on_start=lambda total: bar.reset(total))
            written, skipped = result.with_status("written"), result.with_status("skipped")
            failed += result.with_status("failed")
            index = result.index or index
            lines.append(f"{the_period.label} as of {as_of_date}: {len(written)} reports "
                         f"written to {out}/, {len(skipped)} unchanged (skipped; --force to "
                         f"redo), {len(result.with_status('failed'))} failed")
            if len(written) == 1:
                lines.append(f"  {written[0].files[0].parent}/")
    finally:
        bar.close()
    for line in lines:
        click.echo(line)
    if index:
        click.echo(f"  open {index}")
    if failed:
        for outcome in failed:
            click.secho(f"  {outcome.business_id}: {outcome.error}", fg="red", err=True)
        sys.exit(1)


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
@click.option("--cluster", envvar="ANALYTICS_CLUSTER", metavar="ADDRESS", default=None,
              help="Run on this Dask scheduler (or $ANALYTICS_CLUSTER): the warehouse is "
                   "published first, then one task per business shard.")
@click.option("--published", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="With --cluster: the published copy the workers read. Default: "
                   "$ANALYTICS_PUBLISHED, else published/ beside the warehouse.")
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
    from analytics.warehouse.access import reading
    from analytics.warehouse.businesses import list_businesses

    ids = selected_ids(business_ids, all_businesses)
    the_period, as_of_date = resolve_period(period, start, end, days, as_of)
    writable_folder(out, "--out")
    path = config.db_path(db)
    with reading(path, timeout=wait, on_wait=tell_waiting) as con:
        businesses = [b.business_id for b in list_businesses(con, ids)]
        if cluster:
            from analytics.warehouse.published import publish

            folder = config.published_path(published, path)
            publish(con, folder)
    if wait is not None:  # the kernels read through the same helper: same bound
        os.environ["ANALYTICS_LOCK_TIMEOUT"] = f"{wait:g}"
    planned = notebook_module.plan(
        businesses, the_period, as_of_date, path, out.resolve() if cluster else out,
        parse_params(params), (template or notebook_module.TEMPLATE).resolve(),
    )
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
        from analytics.render.batch import write_index

        write_index(out)
    click.echo(f"{the_period.label} as of {as_of_date}: {len(done)} notebooks written to "
               f"{out}/, {len(failed)} failed")
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
