"""What the weekly email leads with, and how it shows the cards' comparisons."""

from __future__ import annotations

import email
import shutil
from dataclasses import replace
from datetime import UTC, datetime
from email import policy
from pathlib import Path

import pytest
from smtp_helpers import Server

from analytics import AnalyticsError, warehouse
from analytics.delivery.deliver import SmtpSettings, check_sender, compose
from analytics.delivery.send import SendOptions, send
from analytics.metrics.period import Period
from analytics.report import build_report
from conftest import DEMO_AS_OF, DEMO_PERIOD

WHEN = datetime(2026, 11, 23, 7, tzinfo=UTC)


def bodies(report: dict) -> tuple[str, str]:
    message = compose(report, "owner@shop.example", b"%PDF-1.7", "reports@agency.example", WHEN)
    return (message.get_body(("plain",)).get_content(),
            message.get_body(("html",)).get_content())


def test_without_a_recommendation_the_email_leads_with_the_best_post(demo_db) -> None:
    # alpine-outfitters is a control business: no planted effect, no claim
    report = build_report(demo_db, "alpine-outfitters", DEMO_PERIOD, DEMO_AS_OF).to_dict()
    assert report["insights"]["recommendations"] == []
    best = report["content"][0]
    for body in bodies(report):
        assert "Your best post this week" in body
        assert best["title"] in body
        assert f"{best['views']:,} views" in body
        # not a note about what could not be judged
        for note in report["insights"]["notes"]:
            assert note["text"] not in body
        assert body.index("Your best post this week") < body.index("The full report")


def test_with_a_recommendation_the_email_leads_with_it(demo_db) -> None:
    report = build_report(demo_db, "harbour-yoga", DEMO_PERIOD, DEMO_AS_OF).to_dict()
    text, html = bodies(report)
    claim = report["insights"]["recommendations"][0]["claim"]
    assert "Top recommendation" in text and claim in text
    assert "Your best post" not in text
    # every change shows last week's own figure
    prev = report["overview"]["previous"]
    assert f"vs {prev['total_posts']:,} last week" in text
    assert f"vs {prev['total_engagement']:,}" in html


# --- the sender and the recipients, against a real SMTP server on localhost ---------------------





def test_smtp_from_may_carry_a_display_name() -> None:
    assert check_sender("Acme Agency <Reports@Acme.example>") == \
        "Acme Agency <reports@acme.example>"
    assert check_sender('"Acme, Inc." <reports@acme.example>') == \
        '"Acme, Inc." <reports@acme.example>'
    assert check_sender("reports@acme.example") == "reports@acme.example"
    settings = SmtpSettings.from_env({"SMTP_HOST": "localhost",
                                      "SMTP_FROM": "Acme Agency <reports@acme.example>"})
    assert settings.sender == "Acme Agency <reports@acme.example>"
    for bad in ("Acme\nBcc: x@y.example <reports@acme.example>", "Acme <not an address>", ""):
        with pytest.raises(AnalyticsError, match="SMTP_FROM"):
            check_sender(bad)


def test_a_display_name_from_and_a_bad_recipient_cost_only_that_recipient(
        demo_path: Path, tmp_path: Path, reports: Path, smtp: Server) -> None:
    db = tmp_path / "w.duckdb"
    shutil.copy(demo_path, db)
    con = warehouse.connect(db)
    # an internationalised address (this sender does not speak SMTPUTF8) beside a plain one
    con.execute("UPDATE businesses SET recipients = ['jörg@müller.example', 'owner@shop.example']"
                " WHERE business_id = 'harbour-yoga'")
    con.close()
    settings = replace(smtp.settings, sender=check_sender("Acme Agency <reports@acme.example>"))
    result = send(db, SendOptions(business_ids=("harbour-yoga",), out=reports,
                                  settings=settings, periods=(Period.parse(DEMO_PERIOD),),
                                  as_of=DEMO_AS_OF, now=WHEN))
    assert [(o.recipient, o.status) for o in result.outcomes] == [("owner@shop.example", "sent")]
    (problem,) = result.problems
    assert "jörg@müller.example" in problem and "not sent to this recipient" in problem
    (mail_from, rcpt_tos, content), = smtp.envelopes
    assert mail_from == "reports@acme.example" and rcpt_tos == ["owner@shop.example"]
    message = email.message_from_bytes(content, policy=policy.default)
    assert message["From"] == "Acme Agency <reports@acme.example>"
    assert message["Message-ID"].endswith("@acme.example>")


def test_a_dry_run_without_smtp_from_is_a_clear_error(demo_path: Path, tmp_path: Path) -> None:
    with pytest.raises(AnalyticsError, match="set SMTP_FROM"):
        send(demo_path, SendOptions(business_ids=("harbour-yoga",), out=tmp_path, dry_run=True,
                                    periods=(Period.parse(DEMO_PERIOD),), as_of=DEMO_AS_OF,
                                    now=WHEN))
