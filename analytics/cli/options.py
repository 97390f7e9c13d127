"""Options shared by the commands, defined once: ``--db``, the period options,
``--business``/``--all``, ``--out``; and the one-line error handling."""

from __future__ import annotations

import functools
import json
import os
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import click

from analytics import AnalyticsError, config

F = Callable[..., Any]



def db_option(func: F) -> F:
    return click.option(
        "--db",
        "db",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help=f"Warehouse file. Default: $ANALYTICS_DB, else {config.DEFAULT_DB}.",
    )(func)


def wait_option(func: F) -> F:
    return click.option(
        "--wait", "wait", type=click.FloatRange(0, 86_400), default=None, metavar="SECONDS",
        help="How long to wait for the warehouse while another command holds it. Default: "
             f"$ANALYTICS_LOCK_TIMEOUT, else {config.LOCK_TIMEOUT_SECONDS:g}.",
    )(func)


def tell_waiting(message: str) -> None:
    """The one line a command prints when it starts waiting for the warehouse."""
    click.secho(message, fg="yellow", err=True)


def period_options(func: F) -> F:
    options = [
        click.option("--period", help="ISO week (2026-W47), month (2026-11), quarter "
                                      "(2026-Q4) or range (2026-11-01..2026-11-30)."),
        click.option("--start", help="First day of the period (YYYY-MM-DD); needs --end."),
        click.option("--end", help="Last day of the period (YYYY-MM-DD); needs --start."),
        click.option("--days", type=int, help="The N whole days before the as-of date."),
        click.option("--as-of", "as_of", help="Counters as they stood on this day "
                                             "(default: today). Recorded in the output."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def cluster_options(func: F) -> F:
    """``--cluster`` and ``--published``: the same batch on a Dask scheduler (report, notebook)."""
    func = click.option(
        "--published", type=click.Path(file_okay=False, path_type=Path), default=None,
        help="With --cluster: the published copy the workers read (a folder they all reach). "
             "Default: $ANALYTICS_PUBLISHED, else published/ beside the warehouse.")(func)
    return click.option(
        "--cluster", envvar="ANALYTICS_CLUSTER", metavar="ADDRESS", default=None,
        help="Run on this Dask scheduler (tcp://host:8786; or $ANALYTICS_CLUSTER): the "
             "warehouse is published first, then one task per business shard.")(func)


def business_options(func: F) -> F:
    func = click.option("--all", "all_businesses", is_flag=True,
                        help="Every business in the warehouse.")(func)
    return click.option("--business", "business_ids", multiple=True, metavar="ID",
                        help="Business id (repeat, or comma-separate, for several).")(func)


def pdf_engine_option(func: F) -> F:
    """``--pdf-engine``: what lays out the PDF. ``send`` takes it too, as given to ``report``:
    a report printed by the other engine is not current (its stamp names the engine)."""
    return click.option(
        "--pdf-engine", type=click.Choice(config.PDF_ENGINES), default=None,
        help=f"What lays out the PDF (default: $ANALYTICS_PDF_ENGINE, else {config.PDF_ENGINE})."
    )(func)


def out_option(func: F | None = None, *, urls: bool = False) -> Any:
    """``--out``: a folder; with ``urls``, an fsspec URL too (kept as a string: a Path would
    fold ``ftp://`` into ``ftp:/``). Elsewhere a URL is refused, never taken for a folder."""
    def convert(ctx: click.Context, param: click.Parameter, value: str) -> Path | str:
        from analytics.report.remote import is_url, misspelt, output_root, shown

        meant = misspelt(value)
        if meant is not None:  # else a local folder named 'ftp:' would quietly take the reports
            raise click.BadParameter(f"not a URL: a URL has two slashes after its protocol; "
                                     f"did you mean {shown(meant)}?")
        if is_url(value) and not urls:
            raise click.BadParameter(f"{value.split(':', 1)[0]}: URLs are not taken here, only "
                                     "a folder (report --out takes a URL)")
        return output_root(value)

    def decorate(func: F) -> F:
        return click.option(
            "--out", type=str, callback=convert, default=str(config.DEFAULT_REPORTS_DIR),
            metavar="DIRECTORY|URL" if urls else "DIRECTORY",
            show_default=True,
            help="Folder for reports/<business>/<period>/…" + (
                " or an fsspec URL the workers reach (ftp://…, s3://… with s3fs)"
                if urls else ""),
        )(func)

    return decorate(func) if func is not None else decorate


def selected_ids(business_ids: tuple[str, ...], all_businesses: bool) -> list[str] | None:
    if all_businesses and business_ids:
        raise AnalyticsError("give --business ID or --all, not both")
    if not all_businesses and not business_ids:
        raise AnalyticsError("say which businesses: --business ID (repeatable) or --all")
    return None if all_businesses else iter_ids(business_ids)


def writable_folder(path: Path | None, option: str) -> Path | None:
    """``path`` when a folder can be made or written there, else an AnalyticsError naming the
    option, checked before anything is done (nothing is created here)."""
    if path is None:
        return None
    if any(ord(c) < 32 or ord(c) == 127 for c in str(path)):
        raise AnalyticsError(f"{option} {str(path)!r} holds a control character; choose a "
                             "plain folder name")
    existing = Path(path).absolute()
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise AnalyticsError(f"{option} {path}: {existing} is a file, not a folder; choose "
                             "another folder")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise AnalyticsError(f"{option} {path}: cannot write in {existing} (permission "
                             "denied); choose a folder you can write to")
    return path


def handle_errors(func: F) -> F:
    """Print an AnalyticsError as one line (no traceback) and exit 1; so too a file that cannot
    be written or read (a full disk, a read-only folder), which the user can fix."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except AnalyticsError as exc:
            click.secho(f"error: {exc}", fg="red", err=True)
            sys.exit(1)
        except BrokenPipeError:  # `analytics history … | head`: the reader has what it wanted
            sys.stderr.close()
            os._exit(0)
        except OSError as exc:
            where = f"{exc.filename}: " if exc.filename else ""
            reason = exc.strerror or str(exc).splitlines()[0]
            click.secho(f"error: {where}{reason} (check that the folder exists, is writable "
                        "and that the disk has room)", fg="red", err=True)
            sys.exit(1)

    return wrapper


def parse_params(pairs: tuple[str, ...]) -> dict[str, Any]:
    """``NAME=VALUE`` pairs; values that read as JSON (numbers, true/false) keep their type."""
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


def iter_ids(values: Iterable[str]) -> list[str]:
    """Business ids from repeated or comma-separated options, validated, order kept."""
    from analytics.warehouse.businesses import validate_business_id

    ids: list[str] = []
    for value in values:
        for part in value.split(","):
            if part.strip() and part.strip() not in ids:
                ids.append(validate_business_id(part.strip()))
    return ids
