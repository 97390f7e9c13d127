"""What the weekly email leads with, and how it shows the cards' comparisons."""

from __future__ import annotations

from datetime import UTC, datetime

from analytics.delivery.deliver import compose
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
