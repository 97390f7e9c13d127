"""Hostile paths in the cron entry and the systemd unit (issue 10, item 7): a line break is
refused, never written; ``%``, ``$``, quotes and spaces reach the job exactly as given, run
by a real shell after cron's (or systemd's) own reading of the line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from analytics.cli import cli
from analytics.delivery import schedule

INJECTED = "data/x\n* * * * * touch pwned #\n.duckdb"
HOSTILE = ["data/100% sure.duckdb", "data/$HOME and %h.duckdb", "data/it's \"quoted\".duckdb",
           "data/`touch pwned`;$(touch pwned).duckdb", "data/%%%.duckdb"]


def cron_command(line: str) -> tuple[str, str]:
    """What cron does with a crontab line (vixie/cronie ``do_command``): the five time fields
    are dropped; ``\\%`` becomes ``%``; the first other ``%`` ends the command (the rest is its
    standard input). Returns (command, input)."""
    command = line.split(None, 5)[5]
    out, escaped = [], False
    for index, char in enumerate(command):
        if escaped:
            if char == "%":
                out.pop()  # the backslash before it goes
            out.append(char)
            escaped = False
            continue
        if char == "\\":
            escaped = True
        if char == "%":
            return "".join(out), command[index + 1:]
        out.append(char)
    return "".join(out), ""


def systemd_argv(exec_start: str) -> list[str]:
    """A unit's ``ExecStart=`` value split as systemd does for our form: words, a word in
    double quotes with C escapes (``\\\\``, ``\\"``), ``%%`` → ``%``, ``$$`` → ``$``; a lone
    ``%`` or ``$`` fails the test (systemd would expand it)."""
    words, word, quoted, i = [], "", False, 0
    while i < len(exec_start):
        char = exec_start[i]
        if char in "%$":
            assert exec_start[i + 1:i + 2] == char, f"systemd would expand {exec_start[i:i+3]!r}"
            word, i = word + char, i + 2
            continue
        if quoted and char == "\\":
            word, i = word + exec_start[i + 1], i + 2
            continue
        if char == '"':
            quoted, i = not quoted, i + 1
            continue
        if char == " " and not quoted:
            words.append(word) if word else None
            word, i = "", i + 1
            continue
        word, i = word + char, i + 1
    assert not quoted
    return [*words, word] if word else words


@pytest.fixture
def fake_analytics(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An ``analytics`` beside a fake interpreter that records the arguments it is run with."""
    bin_dir = tmp_path / "venv" / "bin"
    bin_dir.mkdir(parents=True)
    script = bin_dir / "analytics"
    script.write_text('#!/bin/sh\nprintf "%s\\n" "$@" > "$ARGS_FILE"\n')
    script.chmod(0o755)
    monkeypatch.setattr(sys, "executable", str(bin_dir / "python"))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "data").mkdir()  # where the job's log goes
    return tmp_path / "args.txt"


def run_shell(command: str, tmp_path: Path, args_file: Path) -> list[str]:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "ARGS_FILE": str(args_file)}
    subprocess.run(["/bin/sh", "-c", command], env=env, cwd="/", check=True, timeout=30)
    return args_file.read_text().splitlines()


def test_a_line_break_in_a_path_is_refused_and_nothing_installed(tmp_path: Path) -> None:
    cron = tmp_path / "crontab"
    cron.write_text("15 3 * * * /usr/bin/backup\n")
    result = CliRunner().invoke(cli, ["schedule", "--db", INJECTED, "--install", "--cron-file",
                                      str(cron)])
    assert result.exit_code == 1
    assert result.output.startswith("error: --db") and result.output.count("\n") == 1
    assert cron.read_text() == "15 3 * * * /usr/bin/backup\n"
    for option in ("--db", "--out"):
        result = CliRunner().invoke(cli, ["schedule", "--systemd", option, INJECTED])
        assert result.exit_code == 1 and "line break" in result.output


@pytest.mark.parametrize("db", HOSTILE)
def test_cron_runs_the_job_with_the_path_exactly(db: str, tmp_path: Path,
                                                 fake_analytics: Path) -> None:
    line = schedule.cron_line(Path(db), Path("out 50%"), "07:00")
    assert "\n" not in line
    command, stdin = cron_command(line)
    assert stdin == ""  # no % left for cron to cut the command at
    assert not (tmp_path / "pwned").exists()
    args = run_shell(command, tmp_path, fake_analytics)
    assert args == ["send", "--all", "--db", str(tmp_path / db), "--out",
                    str(tmp_path / "out 50%")]
    assert not Path("/pwned").exists() and not (tmp_path / "pwned").exists()


@pytest.mark.parametrize("db", HOSTILE)
def test_systemd_runs_the_job_with_the_path_exactly(db: str, tmp_path: Path,
                                                    fake_analytics: Path) -> None:
    service = schedule.systemd_units(Path(db), Path("out"), "07:00")["analytics-send.service"]
    (exec_start,) = [line for line in service.splitlines() if line.startswith("ExecStart=")]
    argv = systemd_argv(exec_start.removeprefix("ExecStart="))
    assert argv[:2] == ["/bin/sh", "-c"] and len(argv) == 3
    args = run_shell(argv[2], tmp_path, fake_analytics)
    assert args == ["send", "--all", "--db", str(tmp_path / db), "--out", str(tmp_path / "out")]


def test_reinstalling_removes_an_entry_split_by_an_earlier_injection(tmp_path: Path) -> None:
    cron = tmp_path / "crontab"
    # what an earlier version installed for --db $'data/x\n* * * * * touch pwned #\n.duckdb'
    cron.write_text(
        "MAILTO=ops@example.com\n"
        "0 7 * * * cd '/srv' && /venv/bin/analytics send --all --db '/srv/data/x\n"
        "* * * * * touch pwned #\n"
        ".duckdb' --out '/srv/reports' >> /srv/data/send-cron.log 2>&1 "
        "# analytics: weekly report emails\n"
        "15 3 * * * /usr/bin/backup\n"
    )
    result = CliRunner().invoke(cli, ["schedule", "--install", "--cron-file", str(cron),
                                      "--db", str(tmp_path / "w.duckdb")])
    assert result.exit_code == 0, result.output
    lines = cron.read_text().splitlines()
    assert lines[:2] == ["MAILTO=ops@example.com", "15 3 * * * /usr/bin/backup"]
    assert len(lines) == 3 and lines[2].endswith(schedule.MARK)
    assert "pwned" not in cron.read_text()

