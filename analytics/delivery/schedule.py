"""Scheduling the weekly emails: a cron entry (printed, or installed) or a systemd timer.

The job runs ``analytics send --all`` every morning. Sending only delivers what is due and not
yet delivered, so running daily costs nothing on most days and catches up the morning after
a Monday the machine was off (cron does not run missed jobs; systemd's ``Persistent=true``
does, at boot).
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

from analytics import AnalyticsError

MARK = "# analytics: weekly report emails"
#: Where the job reads SMTP settings from: outside the repository, readable by its owner only.
ENV_FILE = "~/.config/analytics/smtp.env"


def _time(at: str) -> tuple[int, int]:
    match = re.fullmatch(r"(\d{1,2}):(\d{2})", at.strip())
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        raise AnalyticsError(f"--at takes a time of day like 07:00, not {at!r}")
    return int(match[1]), int(match[2])


def job_command(db: Path, out: Path) -> str:
    """The shell command the scheduler runs, from the project folder."""
    root = Path.cwd()
    analytics = Path(sys.executable).parent / "analytics"
    log = Path(db).resolve().parent / "send-cron.log"
    settings = f"{{ [ ! -f {ENV_FILE} ] || {{ set -a; . {ENV_FILE}; set +a; }}; }}"
    return (f"cd {shlex.quote(str(root))} && {settings} && "
            f"{shlex.quote(str(analytics))} send --all --db {shlex.quote(str(Path(db).resolve()))}"
            f" --out {shlex.quote(str(Path(out).resolve()))} >> {shlex.quote(str(log))} 2>&1")


def cron_line(db: Path, out: Path, at: str = "07:00") -> str:
    hour, minute = _time(at)
    return f"{minute} {hour} * * * {job_command(db, out)} {MARK}"


def merge_crontab(existing: str, line: str) -> str:
    """``existing`` with our line replaced (or added): installing twice never doubles the job."""
    kept = [row for row in existing.splitlines() if not row.rstrip().endswith(MARK)]
    return "\n".join(kept + [line]) + "\n"


def install(line: str, cron_file: Path | None = None) -> str:
    """Put ``line`` in ``cron_file`` (a crontab-format file) or the user's crontab."""
    if cron_file is not None:
        existing = cron_file.read_text() if cron_file.exists() else ""
        cron_file.parent.mkdir(parents=True, exist_ok=True)
        cron_file.write_text(merge_crontab(existing, line))
        return str(cron_file)
    crontab = shutil.which("crontab")
    if crontab is None:
        raise AnalyticsError(
            "no crontab command here; install cron (apt-get install cron), pass --cron-file, "
            "or use the systemd timer printed by `analytics schedule --systemd`"
        )
    listed = subprocess.run([crontab, "-l"], capture_output=True, text=True)
    existing = listed.stdout if listed.returncode == 0 else ""
    subprocess.run([crontab, "-"], input=merge_crontab(existing, line), text=True, check=True)
    return "your crontab"


def systemd_units(db: Path, out: Path, at: str = "07:00") -> dict[str, str]:
    """A user service and timer (``~/.config/systemd/user/``) running the same job."""
    hour, minute = _time(at)
    service = (
        "[Unit]\nDescription=analytics: weekly report emails\n\n"
        "[Service]\nType=oneshot\n"
        f"ExecStart=/bin/sh -c {shlex.quote(job_command(db, out))}\n"
    )
    timer = (
        "[Unit]\nDescription=analytics: weekly report emails, every morning\n\n"
        f"[Timer]\nOnCalendar=*-*-* {hour:02d}:{minute:02d}:00\nPersistent=true\n\n"
        "[Install]\nWantedBy=timers.target\n"
    )
    return {"analytics-send.service": service, "analytics-send.timer": timer}
