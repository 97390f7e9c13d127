"""Credentials against a real SMTP server with AUTH (aiosmtpd), and the run summary
(issue 10, items 4-6): UTF-8 credentials log in; no message holds any part of a password; a
login that fails stops the run and spends no attempt; the summary counts what waits."""

# ruff: noqa: F811 - the fixture db, imported from test_send, is a parameter here
from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from aiosmtpd.smtp import AuthResult, LoginPassword
from click.testing import CliRunner
from smtp_helpers import Server, smtp_server
from test_send import NOW, WEEK, db, log_rows, run_send  # noqa: F401

from analytics import AnalyticsError
from analytics.cli import cli
from analytics.delivery.deliver import SmtpSettings
from conftest import DEMO_AS_OF, DEMO_PERIOD

USER = "agency"
# (not ending "-42": a temp folder "pytest-42N" would hold it)
PASSWORD = "pässwörd-€-秘密-q42z"  # every part of it must stay secret
SECRET_PARTS = ("ä", "ö", "€", "秘", "密", "pässw", "-q42z")


class Authenticator:
    """Accepts USER with PASSWORD exactly (compared as the UTF-8 bytes sent), counts logins."""

    def __init__(self) -> None:
        self.tries: list[tuple[str, bytes]] = []

    def __call__(self, server, session, envelope, mechanism, auth_data):  # noqa: ANN001
        assert isinstance(auth_data, LoginPassword)
        self.tries.append((mechanism, auth_data.password))
        ok = auth_data.login == USER.encode() and auth_data.password == PASSWORD.encode("utf-8")
        return AuthResult(success=ok, handled=False)


@pytest.fixture
def auth_smtp():
    authenticator = Authenticator()
    with smtp_server(authenticator=authenticator, auth_required=True,
                     auth_require_tls=False) as handler:
        handler.authenticator = authenticator
        handler.settings = replace(handler.settings, user=USER, password=PASSWORD)
        yield handler


def env_for(server: Server, **changes: str) -> dict[str, str]:
    env = {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(server.settings.port),
           "SMTP_FROM": "reports@agency.example", "SMTP_TLS": "none", "SMTP_USER": USER,
           "SMTP_PASSWORD": PASSWORD}
    env.update(changes)
    return env


def cli_send(db_path: Path, reports: Path, env: dict[str, str], *extra: str):
    return CliRunner().invoke(cli, [
        "send", "--db", str(db_path), "--out", str(reports), "--business",
        "lumen-books", "--as-of", DEMO_AS_OF.isoformat(), *extra], env=env)


def assert_no_secret(*texts: str) -> None:
    for text in texts:
        for part in SECRET_PARTS:
            assert part not in text, (part, text)


def test_a_non_ascii_password_logs_in_as_utf8(db: Path, reports: Path,
                                              auth_smtp: Server) -> None:
    result = cli_send(db, reports, env_for(auth_smtp), "--period", DEMO_PERIOD)
    assert result.exit_code == 0, result.output
    assert [m["To"] for m in auth_smtp.accepted] == ["books@lumen.example"]
    assert auth_smtp.authenticator.tries == [("PLAIN", PASSWORD.encode("utf-8"))]
    assert_no_secret(result.output, (db.parent / "send-runs.log").read_text())


@pytest.mark.parametrize("wrong", ["pässwörd-€-秘密-43", "wrong-ascii-password"])
def test_a_refused_login_stops_the_run_spends_no_attempt_and_leaks_nothing(
    db: Path, reports: Path, auth_smtp: Server, wrong: str
) -> None:
    result = cli_send(db, reports, env_for(auth_smtp, SMTP_PASSWORD=wrong),
                      "--business", "harbour-yoga", "--period", DEMO_PERIOD)
    assert result.exit_code == 1
    assert "login as agency refused: 535" in result.output
    assert len(auth_smtp.authenticator.tries) == 1  # once for the run, not per recipient
    assert_no_secret(result.output, (db.parent / "send-runs.log").read_text())
    for text in (result.output, (db.parent / "send-runs.log").read_text()):
        assert wrong not in text and wrong[:5] not in text
    rows = log_rows(db)
    assert rows and all(status == "failed" and attempts == 0
                        for *_, status, attempts in rows), rows  # never "sending"
    # fixed, the next run sends everything: nothing was given up (--retry: the CLI ran on
    # the real clock, and its backoff is not over on this one)
    later = run_send(db, reports, auth_smtp, periods=[WEEK],
                     now=NOW + timedelta(hours=1), retry_now=True)
    assert later.counts == {"sent": 3}


def test_a_password_without_a_user_is_refused_up_front(db: Path, reports: Path,
                                                       auth_smtp: Server) -> None:
    with pytest.raises(AnalyticsError, match="SMTP_PASSWORD is set but SMTP_USER is not"):
        SmtpSettings.from_env(env_for(auth_smtp, SMTP_USER=""))
    result = cli_send(db, reports, env_for(auth_smtp, SMTP_USER=""), "--period", DEMO_PERIOD)
    assert result.exit_code == 1
    assert result.output.count("\n") == 1 and "set SMTP_USER" in result.output
    assert_no_secret(result.output)
    assert log_rows(db) == [] and auth_smtp.accepted == []


def test_a_server_that_requires_a_login_stops_the_run_without_spending_attempts(
    db: Path, reports: Path, auth_smtp: Server
) -> None:
    env = env_for(auth_smtp, SMTP_USER="", SMTP_PASSWORD="")
    for _ in range(3):  # several runs: still nothing given up
        result = cli_send(db, reports, env, "--business", "harbour-yoga", "--period",
                          DEMO_PERIOD, "--retry")
        assert result.exit_code == 1
        assert "requires a login: 530" in result.output
        assert "GIVEN UP" not in result.output
    assert {(status, attempts) for *_, status, attempts in log_rows(db)} == {("failed", 0)}


def test_a_plain_run_counts_the_deliveries_waiting_for_their_retry(db: Path, reports: Path,
                                                                    smtp: Server) -> None:
    smtp.refuse.add("books@lumen.example")
    first = run_send(db, reports, smtp, periods=[WEEK])
    assert first.counts == {"sent": 2, "failed": 1}
    # a plain (scheduled) run ten minutes later: the retry is not due yet (15 minutes)
    later = run_send(db, reports, smtp, now=NOW + timedelta(minutes=10))
    assert later.counts["waiting"] == 1, later.counts
    (waiting,) = [o for o in later.outcomes if o.status == "waiting"]
    assert waiting.recipient == "books@lumen.example" and "retry after" in waiting.detail
    assert "waiting=1" in (db.parent / "send-runs.log").read_text().splitlines()[-1]
