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
#: What every entry we install runs: how a broken earlier entry is recognised.
JOB = " send --all --db "
LOG = "send-cron.log"
#: Where the job reads SMTP settings from: outside the repository, readable by its owner only.
ENV_FILE = "~/.config/analytics/smtp.env"


def _time(at: str) -> tuple[int, int]:
    match = re.fullmatch(r"(\d{1,2}):(\d{2})", at.strip())
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        raise AnalyticsError(f"--at takes a time of day like 07:00, not {at!r}")
    return int(match[1]), int(match[2])


#: Characters no path written into a crontab or unit file may hold: controls (a newline would
#: start a cron line of its own), the Unicode line separators, and the backslash (cron and
#: systemd each give it a meaning of their own, which no single quoting serves both ways).
_CONTROL = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029\\]")


def _checked(path: Path, what: str) -> str:
    """``path`` as text, or an AnalyticsError when it could smuggle a line into a crontab."""
    text = str(path)
    if _CONTROL.search(text):
        raise AnalyticsError(f"{what} {text!r} holds a line break, a control character or a "
                             "backslash, which cannot go into a cron entry; rename it")
    return text


def job_command(db: Path, out: Path) -> str:
    """The shell command the scheduler runs, from the project folder; every path is checked
    and shell-quoted (the caller escapes what cron or systemd would read in it)."""
    root = _checked(Path.cwd(), "the current folder")
    analytics = _checked(Path(sys.executable).parent / "analytics", "the analytics command")
    db_path = _checked(Path(db).resolve(), "--db")
    out_path = _checked(Path(out).resolve(), "--out")
    log = str(Path(db_path).parent / LOG)
    settings = f"{{ [ ! -f {ENV_FILE} ] || {{ set -a; . {ENV_FILE}; set +a; }}; }}"
    return (f"cd {shlex.quote(root)} && {settings} && "
            f"{shlex.quote(analytics)} send --all --db {shlex.quote(db_path)}"
            f" --out {shlex.quote(out_path)} >> {shlex.quote(log)} 2>&1")


def cron_line(db: Path, out: Path, at: str = "07:00") -> str:
    """One crontab line. Cron turns an unescaped ``%`` into a newline (the rest of the line
    becomes the job's input), so each is written ``\\%``; cron removes the backslash."""
    hour, minute = _time(at)
    command = job_command(db, out).replace("%", "\\%")
    return f"{minute} {hour} * * * {command} {MARK}"


def merge_crontab(existing: str, line: str) -> str:
    """``existing`` with our line replaced (or added): installing twice never doubles the job.

    An entry an earlier version installed with a line break in a path was split over several
    lines (the break let a path add a job of its own): from a line that starts our job
    without ending in the mark, every line up to the marked one is dropped with it.
    """
    if _CONTROL.search(line.replace("\\%", "%")):
        raise AnalyticsError("refusing to install a cron entry holding a line break")
    kept: list[str] = []
    broken = False
    for row in existing.splitlines():
        ours = row.rstrip().endswith(MARK)
        if broken or ours:
            broken = not ours
            continue
        if JOB in row and LOG not in row:  # the start of an entry split by a line break
            broken = True
            continue
        kept.append(row)
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
        f"ExecStart=/bin/sh -c {systemd_quote(job_command(db, out))}\n"
    )
    timer = (
        "[Unit]\nDescription=analytics: weekly report emails, every morning\n\n"
        f"[Timer]\nOnCalendar=*-*-* {hour:02d}:{minute:02d}:00\nPersistent=true\n\n"
        "[Install]\nWantedBy=timers.target\n"
    )
    return {"analytics-send.service": service, "analytics-send.timer": timer}


def systemd_quote(command: str) -> str:
    """``command`` as one argument of a unit file's ``ExecStart=``: in double quotes, with
    systemd's C-style escapes for backslash and quote, ``%%`` for a literal ``%`` (``%h`` would
    be a specifier) and ``$$`` for a literal ``$`` (``$HOME`` would be expanded by systemd,
    not left to the shell)."""
    escaped = (command.replace("\\", "\\\\").replace('"', '\\"').replace("%", "%%")
               .replace("$", "$$"))
    return f'"{escaped}"'
