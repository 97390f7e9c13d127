"""Commands that deliver: send (the weekly emails) and schedule (the cron entry)."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from analytics import config
from analytics.cli.options import (
    business_options,
    db_option,
    handle_errors,
    out_option,
    pdf_engine_option,
    period_options,
    selected_ids,
    tell_waiting,
    wait_option,
    writable_folder,
)
from analytics.delivery.status import Status
from analytics.metrics.labels import plural

if TYPE_CHECKING:
    from analytics.delivery.options import Outcome, SendOptions, SendResult


@dataclass(frozen=True)
class SendArgs:
    """The command line of ``analytics send``, as click parsed it."""

    db: Path | None
    business_ids: tuple[str, ...]
    all_businesses: bool
    period: str | None
    start: str | None
    end: str | None
    days: int | None
    as_of: str | None
    out: Path
    dry_run: bool
    outbox: Path | None
    retry_now: bool
    jobs: int
    templates: Path | None
    brands_dir: Path | None
    pdf_engine: str | None
    wait: float | None

    def options(self) -> SendOptions:
        """What the run is to do, checked before the warehouse is touched."""
        import os
        from datetime import date

        from analytics.delivery.deliver import SmtpSettings, check_sender
        from analytics.delivery.options import Retries, SendOptions
        from analytics.metrics.period import parse_date, resolve_period

        ids = selected_ids(self.business_ids, self.all_businesses)
        writable_folder(self.out, "--out")
        writable_folder(self.outbox, "--outbox")
        # without --as-of, each business's "today" is the day in its own timezone: send
        # resolves --days per business (as report does); a named period is the same for all
        as_of = parse_date(self.as_of, "--as-of") if self.as_of else None
        explicit = bool(self.period or self.start or self.end or self.days is not None)
        named = resolve_period(self.period, self.start, self.end, self.days,
                               as_of or date.today())[0] if explicit else None  # checked now
        periods = (named,) if named and self.days is None else None
        sender = None
        if self.dry_run and os.environ.get("SMTP_FROM", "").strip():
            sender = check_sender(os.environ["SMTP_FROM"], "SMTP_FROM")
        return SendOptions(
            business_ids=tuple(ids) if ids is not None else None, periods=periods,
            days=self.days, as_of=as_of,
            out=self.out, settings=None if self.dry_run else SmtpSettings.from_env(),
            sender=sender, dry_run=self.dry_run, outbox=self.outbox,
            templates=self.templates, brands_dir=self.brands_dir, jobs=self.jobs,
            portal_url=config.portal_url(), retries=Retries(now=self.retry_now),
            wait=self.wait, pdf_engine=config.pdf_engine(self.pdf_engine))


#: How the CLI shows each outcome: its colour (None: the terminal's own).
COLOURS = {Status.SENT: "green", Status.WRITTEN: "green", Status.ALREADY_SENT: None,
           Status.WAITING: "yellow", Status.FAILED: "red", Status.GIVEN_UP: "red"}


def show(outcome: Outcome) -> None:
    """One line per (business, period, recipient) as the run goes."""
    click.secho(f"{outcome.business_id:<24} {outcome.period:<10} {outcome.recipient:<32} "
                f"{outcome.status.word}{': ' + outcome.detail if outcome.detail else ''}",
                fg=COLOURS[outcome.status])


def summary(result: SendResult, dry_run: bool) -> str:
    """The run's last line: how many of each outcome, and where the run was logged."""
    counts = result.counts
    done = counts[Status.SENT] + counts[Status.WRITTEN]
    return (f"{'dry run: ' if dry_run else ''}{done} {'written' if dry_run else 'sent'}, "
            f"{counts[Status.ALREADY_SENT]} {Status.ALREADY_SENT.word}, "
            f"{counts[Status.WAITING]} waiting to retry, "
            f"{counts[Status.FAILED]} {Status.FAILED.word.lower()}, "
            f"{counts[Status.GIVEN_UP]} {Status.GIVEN_UP.word.lower()}"
            + (f"; run logged in {result.run_log}" if result.run_log else ""))


@click.command()
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
@click.option("--templates", type=click.Path(file_okay=False, exists=True, path_type=Path),
              default=None, help="Your templates folder, as given to `analytics report`.")
@click.option("--brands", "brands_dir", type=click.Path(file_okay=False, path_type=Path),
              default=None, help="Brand folder, as given to `analytics report`.")
@pdf_engine_option
@wait_option
@handle_errors
def send(**given: Any) -> None:
    """Email each business its report PDF, once per recipient; safe to run again.

    Without a period, sends every week that is due: the last complete week, plus weeks a
    missed run left undelivered and failed deliveries ready for a retry. Reports missing or
    stale are rendered first. SMTP settings come from the environment: SMTP_HOST, SMTP_PORT,
    SMTP_USER, SMTP_PASSWORD, SMTP_FROM, SMTP_TLS (starttls, ssl or none).

    \b
    Example:  analytics send --all
              analytics send --business northwind-coffee --period 2026-W47 --dry-run
    """
    from analytics.delivery.send import send as send_reports

    args = SendArgs(**given)
    options = args.options()
    # the run takes the writer lock only for short reads and writes of the delivery log (an
    # ingest may run meanwhile); one sender at a time is kept by the senders' own lock
    try:
        result = send_reports(config.db_path(args.db), options, on_outcome=show,
                              on_wait=tell_waiting)
    except SystemExit:  # SIGTERM, turned into SystemExit by send once its records were made
        click.secho("stopped by SIGTERM: every message sent is recorded; the next run sends "
                    "the rest", fg="red", err=True)
        raise
    click.echo(summary(result, options.dry_run))
    for problem in result.problems:
        click.secho(f"  {problem}", fg="red", err=True)
    given_up = result.counts[Status.GIVEN_UP]
    if given_up:
        has, are = ("has", "is") if given_up == 1 else ("have", "are")
        click.secho(f"  {plural(given_up, 'delivery', 'deliveries')} {has} failed "
                    f"{config.SEND_MAX_ATTEMPTS} times and {are} no longer retried: fix the "
                    "cause, then run `analytics send --retry`", fg="red", err=True)
    if not result.ok:
        sys.exit(1)


@click.command()
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
    ~/.config/analytics/smtp.env (KEY=value lines; keep it outside the repository, mode 600;
    single-quote any value holding spaces, $, # or quotes: SMTP_PASSWORD='pa$$ word').

    \b
    Example:  analytics schedule --at 07:30 --install
              analytics schedule --systemd
    """
    from analytics.delivery import schedule as schedule_module

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
