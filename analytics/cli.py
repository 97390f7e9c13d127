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
@click.option("--days", type=int, default=180, show_default=True, help="Days of posts.")
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
      business 3, 8, 13…  Facebook views per post fall to 40 % over the 180 days
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
@click.option("--observed-on", "observed_on",
              help="Day the export was taken, for rows without observed_on (default: today).")
@click.option("--rejects", "rejects_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Folder for rejected rows (default: rejects/ beside the warehouse).")
@click.option("--strict", is_flag=True, help="Exit with status 1 if any row was rejected.")
@handle_errors
def ingest(db: Path | None, paths: tuple[Path, ...], observed_on: str | None,
           rejects_dir: Path | None, strict: bool) -> None:
    """Load exports into the warehouse (files or folders; CSV or Parquet).

    Recognises a file by its header. Re-ingesting the same file changes nothing; a later
    export of the same posts adds a new observation. Rejected rows are written, with file,
    line, column and reason, to a rejects CSV; the good rows are kept.

    \b
    Canonical files (DESIGN.md):
      businesses: business_id, name, timezone, recipients (;-separated)
      posts:      business_id, platform, content_id, content_type, published_at, title,
                  permalink, observed_on, views, reach, likes, shares, comments, clicks
    Example:  analytics ingest data/raw/businesses.csv data/raw/posts/
    """
    from analytics import ingest as ingest_module
    from analytics import warehouse
    from analytics.period import parse_date

    path = config.db_path(db)
    day = parse_date(observed_on, "--observed-on") if observed_on else None
    con = warehouse.connect(path)
    header = f"{'file':<44} {'format':<22} {'read':>8} {'inserted':>9} {'updated':>8} " \
             f"{'unchanged':>9} {'rejected':>8}"
    click.echo(header)

    def show(result: ingest_module.FileResult) -> None:
        name = str(result.path)
        name = name if len(name) <= 44 else "…" + name[-43:]
        if result.error:
            click.secho(f"{name:<44} refused", fg="red")
            click.secho(f"  {result.error}", fg="red")
            return
        click.echo(f"{name:<44} {result.format:<22} {result.read:>8,} {result.inserted:>9,} "
                   f"{result.updated:>8,} {result.unchanged:>9,} {result.rejected:>8,}")
        if result.rejects_file:
            first = result.rejects[0]
            click.secho(f"  {result.rejected} rejected, e.g. line {first[0]}"
                        f"{' column ' + first[1] if first[1] else ''}: {first[2]}", fg="yellow")
            click.echo(f"  all rejects: {result.rejects_file}")
        if result.ignored_columns:
            click.echo(f"  columns ignored: {', '.join(result.ignored_columns)}")

    try:
        results = ingest_module.ingest_paths(
            con, paths, observed_on=day,
            rejects_dir=rejects_dir or (path.parent / "rejects"), on_file=show,
        )
    finally:
        con.close()
    refused = [r for r in results if r.error]
    rejected = sum(r.rejected for r in results)
    if not results:
        raise AnalyticsError("no .csv or .parquet files found in the paths given")
    if refused:
        raise AnalyticsError(f"{len(refused)} of {len(results)} files refused (see above); "
                             "the others were ingested")
    if strict and rejected:
        raise AnalyticsError(f"{rejected} rows rejected (--strict)")


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


def main() -> None:
    cli(prog_name="analytics")


if __name__ == "__main__":  # pragma: no cover
    main()
