"""The ``analytics`` command line: a thin layer over the library.

Shared options (``--db``, the period options, ``--business``/``--all``, ``--out``) are defined
once here. An error the user can cause prints one line and exits with status 1; usage errors
exit with status 2 (click's convention).
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from analytics import AnalyticsError, __version__, config

F = Callable[..., Any]


# --- shared options -----------------------------------------------------------------------------


def db_option(func: F) -> F:
    return click.option(
        "--db",
        "db",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help=f"Warehouse file. Default: $ANALYTICS_DB, else {config.DEFAULT_DB}.",
    )(func)


def period_options(func: F) -> F:
    options = [
        click.option("--period", help="ISO week (2026-W47), month (2026-11) or range "
                                      "(2026-11-01..2026-11-30)."),
        click.option("--start", help="First day of the period (YYYY-MM-DD); needs --end."),
        click.option("--end", help="Last day of the period (YYYY-MM-DD); needs --start."),
        click.option("--days", type=int, help="The N days ending on the as-of date."),
        click.option("--as-of", "as_of", help="Counters as they stood on this day "
                                             "(default: today). Recorded in the output."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def business_options(func: F) -> F:
    func = click.option("--all", "all_businesses", is_flag=True,
                        help="Every business in the warehouse.")(func)
    return click.option("--business", "business_ids", multiple=True, metavar="ID",
                        help="Business id (repeat, or comma-separate, for several).")(func)


def out_option(func: F) -> F:
    return click.option(
        "--out", type=click.Path(file_okay=False, path_type=Path),
        default=config.DEFAULT_REPORTS_DIR, show_default=True,
        help="Folder for reports/<business>/<period>/…",
    )(func)


def _selected_ids(business_ids: tuple[str, ...], all_businesses: bool) -> list[str] | None:
    from analytics.report import iter_ids

    if all_businesses and business_ids:
        raise AnalyticsError("give --business ID or --all, not both")
    if not all_businesses and not business_ids:
        raise AnalyticsError("say which businesses: --business ID (repeatable) or --all")
    return None if all_businesses else iter_ids(business_ids)


def handle_errors(func: F) -> F:
    """Print an AnalyticsError as one line (no traceback) and exit 1."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except AnalyticsError as exc:
            click.secho(f"error: {exc}", fg="red", err=True)
            sys.exit(1)

    return wrapper


# --- commands ------------------------------------------------------------------------------------


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="analytics")
def cli() -> None:
    """Content analytics for businesses that market on social media.

    \b
    The flow:  analytics demo | ingest FILE…  →  analytics report  →  reports/<business>/<period>/
    Example:   analytics demo && analytics report --all --period 2026-W47
    """


@cli.command()
@db_option
@click.option("--businesses", "count", type=int, default=5, show_default=True,
              help="How many businesses (1–100000).")
@click.option("--seed", type=int, default=42, show_default=True,
              help="Random seed; the same seed and --as-of give the same warehouse.")
@click.option("--as-of", "as_of", help="Last day of the demo data (default: today).")
@click.option("--history-days", "days", type=int, default=180, show_default=True,
              help="Days of posts, ending on --as-of.")
@click.option("--no-effects", is_flag=True,
              help="Plant no effects (every business is a control: insights should be silent).")
@click.option("--force", is_flag=True, help="Replace a warehouse that holds non-demo data.")
@handle_errors
def demo(db: Path | None, count: int, seed: int, as_of: str | None, days: int,
         no_effects: bool, force: bool) -> None:
    """Build a deterministic demo warehouse with planted effects.

    \b
    The planted effects (a correct analysis recovers each; see analytics/demo.py):
      business 1, 6, 11…  LinkedIn video earns 2× the engagement rate of other LinkedIn posts
      business 2, 7, 12…  Tuesday 18:00–21:00 local earns 1.8× the engagement rate
      business 3, 8, 13…  Facebook views per post fall to 25 % over the 180 days
      the others          no effect (controls)

    \b
    Example:  analytics demo --businesses 20 --seed 7 --as-of 2026-11-23
    """
    from tqdm import tqdm

    from analytics import demo as demo_module
    from analytics.period import parse_date

    path = config.db_path(db)
    as_of_date = parse_date(as_of, "--as-of") if as_of else None
    with tqdm(total=count, unit="business", desc="demo", disable=None, leave=False) as bar:
        summary = demo_module.generate(
            path, businesses=count, seed=seed, as_of=as_of_date, days=days,
            effects=not no_effects, force=force, progress=bar.update,
        )
    click.echo(
        f"demo warehouse {summary.path}: {len(summary.businesses)} businesses, "
        f"{summary.posts:,} posts, {summary.observations:,} observations, "
        f"{days} days to {summary.as_of} (seed {seed})"
    )
    for business in summary.businesses[:10]:
        effects = "; ".join(demo_module.EFFECTS[e] for e in business.effects) or "no planted effect"
        click.echo(f"  {business.business_id:<20} {business.timezone:<20} {effects}")
    if len(summary.businesses) > 10:
        click.echo(f"  … and {len(summary.businesses) - 10} more")


@cli.command()
@db_option
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--business", metavar="ID",
              help="The business these exports belong to (default: from the mapping file).")
@click.option("--platform", type=click.Choice(["auto", *config.PLATFORMS]), default="auto",
              show_default=True,
              help="Only consider this platform's formats (and say which platform a Meta "
                   "page-level file is for).")
@click.option("--observed-on", "observed_on",
              help="Day the exports were taken (default: the end of the period in the file "
                   "name, else the day a file with the same content was first ingested, else "
                   "today).")
@click.option("--timezone", "timezone", metavar="TZ",
              help="Timezone of local times in the exports (Meta, Facebook Insights; default: "
                   "the business's).")
@click.option("--year", type=click.IntRange(2000, 2100),
              help="Year of the first row of exports whose dates have none (TikTok, Meta "
                   "follower history), unless the file name holds the export period.")
@click.option("--mapping", "mapping_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Accounts → businesses mapping, .toml or .csv (default: businesses.toml or "
                   "businesses.csv beside the warehouse).")
@click.option("--rejects", "rejects_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Folder for rejected rows (default: rejects/ beside the warehouse).")
@click.option("--strict", is_flag=True, help="Exit with status 1 if any row was rejected.")
@handle_errors
def ingest(db: Path | None, paths: tuple[Path, ...], business: str | None, platform: str,
           observed_on: str | None, timezone: str | None, year: int | None,
           mapping_file: Path | None, rejects_dir: Path | None, strict: bool) -> None:
    """Load exports into the warehouse (files or folders; CSV, XLSX or Parquet).

    Recognises a file by its header: X, Facebook and Instagram (Meta Business Suite),
    Facebook Insights, LinkedIn, TikTok and YouTube Studio exports, and our canonical files
    (`analytics formats` lists them all). Re-ingesting the same file changes nothing; a later
    export of the same posts adds a new observation. Rejected rows are written, with file,
    line, column and reason, to a rejects CSV; the good rows are kept. A file whose business
    (or year, for dates without one) cannot be told stops the command before anything is
    written.

    \b
    Canonical files (DESIGN.md):
      businesses: business_id, name, timezone, recipients (;-separated)
      posts:      business_id, platform, content_id, content_type, published_at, title,
                  permalink, observed_on, views, reach, likes, shares, comments, clicks
    Example:  analytics ingest data/raw/businesses.csv data/raw/posts/
              analytics ingest data/raw/tiktok/Overview.csv --business kiku-ramen --year 2025
    """
    from analytics import ingest as ingest_module
    from analytics import warehouse
    from analytics.ingest import mapping
    from analytics.period import parse_date

    path = config.db_path(db)
    day = parse_date(observed_on, "--observed-on") if observed_on else None
    accounts = mapping.load(mapping_file or mapping.default_path(path))
    con = warehouse.connect(path)
    header = [f"{'file':<44} {'format':<22} {'read':>8} {'inserted':>9} {'updated':>8} "
              f"{'unchanged':>9} {'rejected':>8}"]

    def show(result: ingest_module.FileResult) -> None:
        while header:
            click.echo(header.pop())
        name = result.label
        name = name if len(name) <= 44 else "…" + name[-43:]
        if result.error:
            click.secho(f"{name:<44} refused", fg="red")
            click.secho(f"  {result.error}", fg="red")
            return
        click.echo(f"{name:<44} {result.format:<22} {result.read:>8,} {result.inserted:>9,} "
                   f"{result.updated:>8,} {result.unchanged:>9,} {result.rejected:>8,}")
        if result.platform:
            observed = (f", observed on {result.observed_on}"
                        if result.format_kind == "posts" else "")
            click.echo(f"  {result.platform} → business {result.business_id or '(per account)'}"
                       f"{observed}")
        for line, reason in result.skipped[:3]:
            click.echo(f"  skipped line {line}: {reason}")
        for note in result.notes:
            click.echo(f"  {note}")
        if result.rejects_file:
            first = result.rejects[0]
            click.secho(f"  {result.rejected} rejected, e.g. line {first[0]}"
                        f"{' column ' + first[1] if first[1] else ''}: {first[2]}", fg="yellow")
            click.echo(f"  all rejects: {result.rejects_file}")
        if result.ignored_columns:
            ignored = result.ignored_columns
            more = f" and {len(ignored) - 8} more" if len(ignored) > 8 else ""
            click.echo(f"  columns ignored: {', '.join(ignored[:8])}{more}")

    try:
        results = ingest_module.ingest_paths(
            con, paths, observed_on=day, business=business,
            platform=None if platform == "auto" else platform, timezone=timezone, year=year,
            mapping=accounts, rejects_dir=rejects_dir or (path.parent / "rejects"),
            on_file=show,
        )
    finally:
        con.close()
    refused = [r for r in results if r.error]
    rejected = sum(r.rejected for r in results)
    if not results:
        raise AnalyticsError("no .csv, .xlsx or .parquet files found in the paths given")
    if refused:
        raise AnalyticsError(f"{len(refused)} of {len(results)} files refused (see above); "
                             "the others were ingested")
    if strict and rejected:
        raise AnalyticsError(f"{rejected} rows rejected (--strict)")


@cli.command()
@handle_errors
def formats() -> None:
    """List the export formats `analytics ingest` recognises.

    Example:  analytics formats
    """
    from analytics.ingest import describe_formats

    for name, platforms, description in describe_formats():
        click.echo(f"{name:<24} {platforms:<20} {description}")


@cli.command()
@db_option
@handle_errors
def businesses(db: Path | None) -> None:
    """List the businesses in the warehouse, with their post counts.

    Example:  analytics businesses --db data/warehouse.duckdb
    """
    from analytics import sql, warehouse

    con = warehouse.connect(config.db_path(db), read_only=True)
    rows = sql.records(con, "businesses", business_ids=None)
    click.echo(f"{'business_id':<24} {'posts':>7}  {'timezone':<20} name")
    for row in rows:
        click.echo(f"{row['business_id']:<24} {row['posts']:>7,}  {row['timezone']:<20} "
                   f"{row['name']}")


FORMATS = config.REPORT_FORMATS


def _formats(value: str) -> list[str]:
    chosen = [f.strip().lower() for f in value.split(",") if f.strip()]
    unknown = [f for f in chosen if f not in FORMATS]
    if unknown or not chosen:
        raise AnalyticsError(f"--format takes a comma-separated list of {', '.join(FORMATS)}; "
                             f"not {', '.join(unknown) or 'nothing'}")
    return list(dict.fromkeys(chosen))


@cli.command()
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
              help="Folder of templates to use before the built-in ones (copy templates/ "
                   "and edit to restyle).")
@click.option("--brands", "brands_dir", type=click.Path(file_okay=False, path_type=Path),
              default=config.BRANDS_DIR, show_default=True,
              help="Folder of <business_id>.json brand files: {\"colour\": \"#1f6f5c\", "
                   "\"logo\": \"logo.png\"}.")
@handle_errors
def report(db: Path | None, business_ids: tuple[str, ...], all_businesses: bool,
           period: str | None, start: str | None, end: str | None, days: int | None,
           as_of: str | None, out: Path, format_: str, limit: int, jobs: int, force: bool,
           templates: Path | None, brands_dir: Path) -> None:
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
    """
    from tqdm import tqdm

    from analytics import warehouse
    from analytics.batch import RenderOptions, run_batch
    from analytics.period import resolve_period

    formats = _formats(format_)
    if not config.CONTENT_LIMIT_RANGE[0] <= limit <= config.CONTENT_LIMIT_RANGE[1]:
        raise AnalyticsError(f"--limit must be from 1 to 100, not {limit}")
    ids = _selected_ids(business_ids, all_businesses)
    the_period, as_of_date = resolve_period(period, start, end, days, as_of)
    options = RenderOptions(out=out, formats=tuple(formats), templates=templates,
                            brands_dir=brands_dir, force=force)
    con = warehouse.connect(config.db_path(db), read_only=True)
    bar = tqdm(unit="report", desc="reports", disable=None)

    def progress(outcome) -> None:
        if outcome.status == "failed":
            tqdm.write(f"failed: {outcome.business_id}: {outcome.error}", file=sys.stderr)
        bar.update(1)

    try:
        result = run_batch(con, ids, the_period, as_of_date, options, jobs=jobs, limit=limit,
                           on_outcome=progress, on_start=lambda total: bar.reset(total))
    finally:
        bar.close()
        con.close()
    written, skipped = result.with_status("written"), result.with_status("skipped")
    failed = result.with_status("failed")
    click.echo(f"{the_period.label} as of {as_of_date}: {len(written)} reports written to "
               f"{out}/, {len(skipped)} unchanged (skipped; --force to redo), "
               f"{len(failed)} failed")
    if len(written) == 1:
        click.echo(f"  {written[0].files[0].parent}/")
    if result.index:
        click.echo(f"  open {result.index}")
    if failed:
        for outcome in failed:
            click.secho(f"  {outcome.business_id}: {outcome.error}", fg="red", err=True)
        sys.exit(1)


def _parse_params(pairs: tuple[str, ...]) -> dict[str, Any]:
    """``NAME=VALUE`` pairs; values that read as JSON (numbers, true/false) keep their type."""
    import json

    params: dict[str, Any] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip().isidentifier():
            raise AnalyticsError(f"--param takes NAME=VALUE, not {pair!r}")
        try:
            params[name.strip()] = json.loads(value)
        except ValueError:
            params[name.strip()] = value
    return params


@cli.command()
@db_option
@business_options
@period_options
@out_option
@click.option("--jobs", type=int, default=None,
              help="Kernels running at once (default: one per core).")
@click.option("--param", "-p", "params", multiple=True, metavar="NAME=VALUE",
              help="Another parameter the notebook declares (repeatable).")
@click.option("--notebook", "template", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="Notebook to run (default: notebooks/business_report.ipynb).")
@handle_errors
def notebook(db: Path | None, business_ids: tuple[str, ...], all_businesses: bool,
             period: str | None, start: str | None, end: str | None, days: int | None,
             as_of: str | None, out: Path, jobs: int | None, params: tuple[str, ...],
             template: Path | None) -> None:
    """Execute the business report notebook with Papermill, once per business.

    Writes reports/<business>/<period>/notebook.ipynb (the audit trail, with outputs) and
    notebook.html. Parameters are checked before any kernel starts; a failing cell marks that
    business failed (its notebook is kept as notebook.failed.ipynb) and the others go on.

    \b
    Example:  analytics notebook --business northwind-coffee --period 2026-W47
              analytics notebook --all --jobs 2
    """
    import os

    from tqdm import tqdm

    from analytics import notebook as notebook_module
    from analytics import warehouse
    from analytics.metrics import list_businesses
    from analytics.period import resolve_period

    ids = _selected_ids(business_ids, all_businesses)
    the_period, as_of_date = resolve_period(period, start, end, days, as_of)
    path = config.db_path(db)
    con = warehouse.connect(path, read_only=True)
    try:
        businesses = [b.business_id for b in list_businesses(con, ids)]
    finally:
        con.close()
    planned = notebook_module.plan(
        businesses, the_period, as_of_date, path, out, _parse_params(params),
        template or notebook_module.TEMPLATE,
    )
    workers = jobs or max(1, os.cpu_count() or 1)
    failed = []
    with tqdm(total=len(planned), unit="notebook", desc="notebooks", disable=None) as bar:
        def progress(result: notebook_module.NotebookResult) -> None:
            if not result.ok:
                failed.append(result)
                tqdm.write(f"failed: {result.business_id}: {result.error}", file=sys.stderr)
            bar.update(1)

        results = notebook_module.run_notebooks(planned, workers, on_result=progress)
    done = [r for r in results if r.ok]
    click.echo(f"{the_period.label} as of {as_of_date}: {len(done)} notebooks written to "
               f"{out}/, {len(failed)} failed")
    if len(done) == 1:
        click.echo(f"  {done[0].notebook}\n  {done[0].html}")
    if failed:
        for result in failed:
            click.secho(f"  {result.business_id}: {result.error}", fg="red", err=True)
        sys.exit(1)


@cli.command()
@db_option
@business_options
@period_options
@out_option
@click.option("--dry-run", is_flag=True,
              help="Write each message as an .eml file to --outbox instead of sending.")
@click.option("--outbox", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for --dry-run messages (default: <out>/outbox).")
@click.option("--retry", "retry_now", is_flag=True,
              help="Try failed and given-up deliveries now, ignoring the backoff.")
@click.option("--jobs", type=int, default=1, show_default=True,
              help="Worker processes for rendering missing or stale reports.")
@handle_errors
def send(db: Path | None, business_ids: tuple[str, ...], all_businesses: bool,
         period: str | None, start: str | None, end: str | None, days: int | None,
         as_of: str | None, out: Path, dry_run: bool, outbox: Path | None, retry_now: bool,
         jobs: int) -> None:
    """Email each business its report PDF, once per recipient; safe to run again.

    Without a period, sends every week that is due: the last complete week, plus weeks a
    missed run left undelivered and failed deliveries ready for a retry. Reports missing or
    stale are rendered first. SMTP settings come from the environment: SMTP_HOST, SMTP_PORT,
    SMTP_USER, SMTP_PASSWORD, SMTP_FROM, SMTP_TLS (starttls, ssl or none).

    \b
    Example:  analytics send --all
              analytics send --business northwind-coffee --period 2026-W47 --dry-run
    """
    from datetime import date

    from analytics import warehouse
    from analytics.deliver import SmtpSettings
    from analytics.period import parse_date, resolve_period
    from analytics.send import send as send_reports

    ids = _selected_ids(business_ids, all_businesses)
    explicit = bool(period or start or end or days is not None)
    as_of_date = parse_date(as_of, "--as-of") if as_of else date.today()
    periods = [resolve_period(period, start, end, days, as_of_date)[0]] if explicit else None
    settings = None if dry_run else SmtpSettings.from_env()
    con = warehouse.connect(config.db_path(db))
    marks = {"sent": ("sent", "green"), "written": ("written", "green"),
             "already_sent": ("already sent", None), "waiting": ("waiting", "yellow"),
             "failed": ("FAILED", "red"), "given_up": ("GIVEN UP", "red")}

    def show(outcome) -> None:  # noqa: ANN001 - analytics.send.Outcome
        word, colour = marks[outcome.status]
        click.secho(f"{outcome.business_id:<24} {outcome.period:<10} {outcome.recipient:<32} "
                    f"{word}{': ' + outcome.detail if outcome.detail else ''}", fg=colour)

    try:
        result = send_reports(con, ids, as_of=as_of_date, out=out, periods=periods,
                              settings=settings, dry_run=dry_run, outbox=outbox, jobs=jobs,
                              retry_now=retry_now, on_outcome=show)
    finally:
        con.close()
    counts = result.counts
    click.echo(f"{'dry run: ' if dry_run else ''}{counts['sent'] + counts['written']} "
               f"{'written' if dry_run else 'sent'}, {counts['already_sent']} already sent, "
               f"{counts['waiting']} waiting to retry, {counts['failed']} failed, "
               f"{counts['given_up']} given up" + (f"; run logged in {result.run_log}"
                                                  if result.run_log else ""))
    for problem in result.problems:
        click.secho(f"  {problem}", fg="red", err=True)
    if counts["given_up"]:
        click.secho(f"  {counts['given_up']} deliveries have failed {config.SEND_MAX_ATTEMPTS} "
                    "times and are no longer retried: fix the cause, then run "
                    "`analytics send --retry`", fg="red", err=True)
    if not result.ok:
        sys.exit(1)


@cli.command()
@db_option
@out_option
@click.option("--at", default="07:00", show_default=True, help="Time of day to run (HH:MM).")
@click.option("--install", is_flag=True, help="Install the cron entry (replacing an earlier one).")
@click.option("--cron-file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="With --install: write to this crontab file instead of `crontab`.")
@click.option("--systemd", is_flag=True, help="Print a systemd timer and service instead.")
@handle_errors
def schedule(db: Path | None, out: Path, at: str, install: bool, cron_file: Path | None,
             systemd: bool) -> None:
    """Print (or install) the cron entry that sends the weekly reports.

    The job runs every morning; it sends only what is due and not yet delivered, so the
    morning after a Monday the machine was off it catches up. SMTP settings are read from
    ~/.config/analytics/smtp.env (KEY=value lines; keep it outside the repository, mode 600).

    \b
    Example:  analytics schedule --at 07:30 --install
              analytics schedule --systemd
    """
    from analytics import schedule as schedule_module

    path = config.db_path(db)
    if systemd:
        for name, text in schedule_module.systemd_units(path, out, at).items():
            click.echo(f"# ~/.config/systemd/user/{name}\n{text}")
        click.echo("# then: systemctl --user daemon-reload && "
                   "systemctl --user enable --now analytics-send.timer")
        return
    line = schedule_module.cron_line(path, out, at)
    click.echo(line)
    if install:
        where = schedule_module.install(line, cron_file)
        click.echo(f"installed in {where}")


def main() -> None:
    cli(prog_name="analytics")


if __name__ == "__main__":  # pragma: no cover
    main()
