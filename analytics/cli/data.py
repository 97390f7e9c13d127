"""Commands that fill and list the warehouse: demo, ingest, formats, businesses."""

from __future__ import annotations

from pathlib import Path

import click

from analytics import AnalyticsError, config
from analytics.cli.options import (
    db_option,
    handle_errors,
    tell_waiting,
    wait_option,
    writable_folder,
)


@click.command()
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
@wait_option
@handle_errors
def demo(db: Path | None, count: int, seed: int, as_of: str | None, days: int,
         no_effects: bool, force: bool, wait: float | None) -> None:
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

    from analytics.ingest import demo as demo_module
    from analytics.ingest import demo_audience
    from analytics.metrics.period import parse_date

    if not 0 <= seed < 2**32:
        raise AnalyticsError(f"--seed takes a whole number from 0 to {2**32 - 1}, not {seed}")
    path = config.db_path(db)
    writable_folder(path.parent, "--db")
    as_of_date = parse_date(as_of, "--as-of") if as_of else None
    with tqdm(total=count, unit="business", desc="demo", disable=None, leave=False) as bar:
        summary = demo_module.generate(
            path, businesses=count, seed=seed, as_of=as_of_date, days=days,
            effects=not no_effects, force=force, progress=bar.update,
            timeout=wait, on_wait=tell_waiting,
        )
    click.echo(
        f"demo warehouse {summary.path}: {len(summary.businesses)} businesses, "
        f"{summary.posts:,} posts, {summary.observations:,} observations, "
        f"{days} days to {summary.as_of} (seed {seed})"
    )
    for business in summary.businesses[:10]:
        planted = [demo_module.EFFECTS[e] for e in business.effects]
        if business.follower_surge:
            planted.append(f"about {demo_audience.SURGE_FOLLOWERS:,} extra Instagram followers "
                           "in the last complete week")
        effects = "; ".join(planted) or "no planted effect"
        click.echo(f"  {business.business_id:<20} {business.timezone:<20} {effects}")
    if len(summary.businesses) > 10:
        click.echo(f"  … and {len(summary.businesses) - 10} more")


@click.command()
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
@click.option("--year", type=click.IntRange(*config.YEARS),
              help="Year of the first row of exports whose dates have none (TikTok, Meta "
                   "follower history), unless the file name holds the export period.")
@click.option("--mapping", "mapping_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Accounts → businesses mapping, .toml or .csv (default: businesses.toml or "
                   "businesses.csv beside the warehouse).")
@click.option("--rejects", "rejects_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Folder for rejected rows (default: rejects/ beside the warehouse).")
@click.option("--strict", is_flag=True,
              help="Exit with status 1 if any row was rejected (or recipient refused).")
@wait_option
@handle_errors
def ingest(db: Path | None, paths: tuple[Path, ...], business: str | None, platform: str,
           observed_on: str | None, timezone: str | None, year: int | None,
           mapping_file: Path | None, rejects_dir: Path | None, strict: bool,
           wait: float | None) -> None:
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
    from analytics.ingest import mapping
    from analytics.metrics.period import parse_date
    from analytics.warehouse.access import writing

    path = config.db_path(db)
    rejects_dir = writable_folder(rejects_dir or (path.parent / "rejects"), "--rejects")
    day = parse_date(observed_on, "--observed-on") if observed_on else None
    accounts = mapping.load(mapping_file or mapping.default_path(path))
    # the writer lock for the whole run: one ingest, send or demo at a time
    session = writing(path, "ingest", timeout=wait, on_wait=tell_waiting)
    con = session.con
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
        if result.decreases_file:
            # kept: platforms do remove likes, and the later figure is the truth of its day
            click.secho(f"  {result.decreased:,} counters went down since an earlier "
                        f"observation (kept), e.g. line {result.decreases[0].line}: "
                        f"{result.decreases[0].describe()}", fg="yellow")
            click.echo(f"  all decreases: {result.decreases_file}")
        if result.rejects_file:
            first = result.rejects[0]
            counts = [f"{result.rejected:,} rejected"] if result.rejected else []
            if result.refused:  # the rows are kept, so the table's columns do not show these
                counts.append(f"{result.refused:,} recipient addresses refused (their "
                              "businesses kept)" if result.refused > 1 else
                              "1 recipient address refused (its business kept)")
            click.secho(f"  {', '.join(counts)}, e.g. line {first[0]}"
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
            mapping=accounts, rejects_dir=rejects_dir,
            on_file=show,
        )
    finally:
        session.close()
    refused = [r for r in results if r.error]
    rejected = sum(r.rejected for r in results)
    addresses = sum(r.refused for r in results)
    if not results:
        raise AnalyticsError("no .csv, .xlsx or .parquet files found in the paths given")
    if refused:
        raise AnalyticsError(f"{len(refused)} of {len(results)} files refused (see above); "
                             "the others were ingested")
    if strict and (rejected or addresses):
        also = f", {addresses} recipient addresses refused" if addresses else ""
        raise AnalyticsError(f"{rejected} rows rejected{also} (--strict)")


@click.command()
@handle_errors
def formats() -> None:
    """List the export formats `analytics ingest` recognises.

    Example:  analytics formats
    """
    from analytics.ingest import describe_formats

    for name, platforms, description in describe_formats():
        click.echo(f"{name:<24} {platforms:<20} {description}")


@click.command()
@db_option
@wait_option
@handle_errors
def businesses(db: Path | None, wait: float | None) -> None:
    """List the businesses in the warehouse, with their post counts.

    Example:  analytics businesses --db data/warehouse.duckdb
    """
    from analytics.warehouse import sql
    from analytics.warehouse.access import reading

    with reading(config.db_path(db), timeout=wait, on_wait=tell_waiting) as con:
        rows = sql.records(con, "businesses", business_ids=None)
    click.echo(f"{'business_id':<24} {'posts':>7}  {'timezone':<20} name")
    for row in rows:
        if row["competitor_of"] is None:
            click.echo(f"{row['business_id']:<24} {row['posts']:>7,}  {row['timezone']:<20} "
                       f"{row['name']}")
    rivals = [row for row in rows if row["competitor_of"] is not None]
    if rivals:  # listed apart: they get no report or email, only a place in benchmarks
        click.echo(f"\ncompetitors (benchmarked in their client's report; never emailed)\n"
                   f"{'business_id':<24} {'posts':>7}  {'competitor of':<20} name")
        for row in rivals:
            click.echo(f"{row['business_id']:<24} {row['posts']:>7,}  "
                       f"{row['competitor_of']:<20} {row['name']}")


@click.command()
@db_option
@click.option("--to", "to", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for the published copy. Default: $ANALYTICS_PUBLISHED, else "
                   "published/ beside the warehouse.")
@wait_option
@handle_errors
def publish(db: Path | None, to: Path | None, wait: float | None) -> None:
    """Publish the tables reports read as Parquet, one folder per business shard.

    Workers of a cluster (`report --cluster`) read only their shard of this copy, never the
    warehouse file. A shard whose rows have not changed since the last publish is not
    rewritten; manifest.json (written last) records the as-of date and schema version.

    \b
    Example:  analytics publish --to /shared/analytics/published
    """
    from analytics.warehouse.access import reading
    from analytics.warehouse.published import publish as publish_copy

    path = config.db_path(db)
    folder = config.published_path(to, path)
    # one read of one state (writers wait for the copy to be written, not longer)
    with reading(path, timeout=wait, on_wait=tell_waiting) as con:
        result = publish_copy(con, folder)
    click.echo(f"published {path} to {folder}/ (as of {result.as_of or 'no data'}): "
               f"{result.shards} shards, {len(result.written)} written, "
               f"{len(result.unchanged)} unchanged, in {result.seconds:.1f} s")
