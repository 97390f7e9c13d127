"""The weekly email's "View online" link: with a portal URL configured, each message carries
a token for that business alone, which opens its dashboard on a real server."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import httpx
import pytest
from serve_helpers import BUSINESSES, POSTS, running_server
from smtp_helpers import smtp_server

from analytics import access, warehouse
from analytics.delivery.send import SendOptions, send
from analytics.metrics.period import Period

WEEK = Period.parse("2026-W48")
LINK = re.compile(r"https?://\S+/portal\?token=[^\s\"<]+")


@pytest.fixture
def mailed(load, tmp_path: Path):
    """alpha's W48 report sent to its owner through a real SMTP server, with and without a
    portal URL; returns the two messages."""
    businesses = [dict(BUSINESSES[0], recipients="owner@alpha.example"), BUSINESSES[1]]
    load(businesses, POSTS).close()  # send opens the warehouse itself
    db = tmp_path / "warehouse.duckdb"
    with smtp_server() as handler:
        for portal_url, out in ((None, "plain"), ("http://portal.invalid", "linked")):
            result = send(db, SendOptions(
                business_ids=("alpha",), as_of=date(2026, 11, 30), out=tmp_path / out,
                periods=(WEEK,), settings=handler.settings, jobs=0, portal_url=portal_url))
            assert result.counts["sent"] == 1, (result.problems, result.outcomes)
            with warehouse.connect(db) as con:  # so that the second run sends again
                con.execute("DELETE FROM delivery_log")
    return handler.accepted


def bodies(message) -> tuple[str, str]:
    return (message.get_body(("plain",)).get_content(),
            message.get_body(("html",)).get_content())


def test_no_portal_url_no_link(mailed) -> None:
    text, html = bodies(mailed[0])
    assert "View online" not in text and "View online" not in html


def test_the_link_opens_that_business_and_no_other(mailed, tmp_path: Path) -> None:
    text, html = bodies(mailed[1])
    assert "View online" in text and "View online" in html
    link = LINK.search(text)[0]
    assert link.startswith("http://portal.invalid/portal?token=")
    assert "business=alpha" in link and "period=2026-W48" in link
    assert link.replace("&", "&amp;") in html  # the same link, escaped in HTML
    db = tmp_path / "warehouse.duckdb"
    con = warehouse.connect(db, read_only=True)
    try:
        grants = access.list_grants(con)
    finally:
        con.close()
    assert [(g.name, g.businesses) for g in grants] == [("email owner@alpha.example",
                                                         ("alpha",))]
    assert (grants[0].expires_at - grants[0].created_at).days == 30
    with running_server(db, tmp_path) as url:
        local = link.replace("http://portal.invalid", url)
        with httpx.Client(timeout=60) as browser:
            first = browser.get(local, follow_redirects=False)
            assert first.status_code == 303
            assert first.headers["location"] == "/portal/alpha?period=2026-W48"
            page = browser.get(url + first.headers["location"])
            assert page.status_code == 200 and "Alpha Bakery" in page.text
            assert "2026-W48" in page.text
            assert browser.get(f"{url}/portal/beta").status_code == 403
