"""Commands that deliver: send (the weekly emails) and schedule (the cron entry)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from analytics import config
from analytics.cli.options import (
    business_options,
    db_option,
    handle_errors,
    out_option,
    period_options,
    selected_ids,
    tell_waiting,
    wait_option,
    writable_folder,
)


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
@wait_option
@handle_errors
def send(db: Path | None, business_ids: tuple[str, ...], all_businesses: bool,
         period: str | None, start: str | None, end: str | None, days: int | None,
         as_of: str | None, out: Path, dry_run: bool, outbox: Path | None, retry_now: bool,
         jobs: int, templates: Path | None, brands_dir: Path | None,
         wait: float | None) -> None:
    """Email each business its report PDF, once per recipient; safe to run again.

    Without a period, sends every week that is due: the last complete week, plus weeks a
    missed run left undelivered and failed deliveries ready for a retry. Reports missing or
    stale are rendered first. SMTP settings come from the environment: SMTP_HOST, SMTP_PORT,
    SMTP_USER, SMTP_PASSWORD, SMTP_FROM, SMTP_TLS (starttls, ssl or none).

    \b
    Example:  analytics send --all
              analytics send --business northwind-coffee --period 2026-W47 --dry-run
    """
    import os
    from datetime import date

    from analytics.delivery.deliver import SmtpSettings, check_sender
    from analytics.delivery.send import send as send_reports
    from analytics.metrics.period import parse_date, resolve_period
    from analytics.warehouse.access import writing

    ids = selected_ids(business_ids, all_businesses)
    writable_folder(out, "--out")
    writable_folder(outbox, "--outbox")
    explicit = bool(period or start or end or days is not None)
    # without --as-of, each business's "today" is the day in its own timezone (send decides)
    as_of_date = parse_date(as_of, "--as-of") if as_of else None
    periods = ([resolve_period(period, start, end, days, as_of_date or date.today())[0]]
               if explicit else None)
    settings = None if dry_run else SmtpSettings.from_env()
    sender = None
    if dry_run and os.environ.get("SMTP_FROM", "").strip():
        sender = check_sender(os.environ["SMTP_FROM"], "SMTP_FROM")
    # the writer lock for the whole run: the delivery log is read, then written, by one
    # sender at a time (never twice), and no ingest changes the data under it
    session = writing(config.db_path(db), "send", timeout=wait, on_wait=tell_waiting)
    con = session.con
    marks = {"sent": ("sent", "green"), "written": ("written", "green"),
             "already_sent": ("already sent", None), "waiting": ("waiting", "yellow"),
             "failed": ("FAILED", "red"), "given_up": ("GIVEN UP", "red")}

    def show(outcome) -> None:  # noqa: ANN001 - analytics.delivery.send.Outcome
        word, colour = marks[outcome.status]
        click.secho(f"{outcome.business_id:<24} {outcome.period:<10} {outcome.recipient:<32} "
                    f"{word}{': ' + outcome.detail if outcome.detail else ''}", fg=colour)

    try:
        result = send_reports(con, ids, as_of=as_of_date, out=out, periods=periods,
                              settings=settings, sender=sender, dry_run=dry_run, outbox=outbox,
                              templates=templates, brands_dir=brands_dir, jobs=jobs,
                              retry_now=retry_now, on_outcome=show,
                              portal_url=config.portal_url())
    finally:
        session.close()
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
