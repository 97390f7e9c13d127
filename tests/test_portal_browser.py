"""The client portal in a real browser: Debian's chromium driven by playwright (never a
downloaded browser). A token link signs in, the period picker changes the report, the post
table sorts and filters, the CSV downloads; no request leaves the server's origin."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright
from serve_helpers import grant, running_server

from conftest import post

CHROMIUM = "/usr/bin/chromium"


def days_ago(n: int, hour: int = 10) -> str:
    day = datetime.now(UTC).date() - timedelta(days=n)
    return f"{day.isoformat()}T{hour:02d}:00:00Z"


@pytest.fixture
def portal(load, tmp_path: Path):
    """Posts dated relative to today (the picker's periods end yesterday, in UTC here)."""
    today = datetime.now(UTC).date().isoformat()
    businesses = [{"business_id": "alpha", "name": "Alpha Bakery", "timezone": "UTC",
                   "recipients": ""},
                  {"business_id": "beta", "name": "Beta", "timezone": "UTC", "recipients": ""}]
    posts = [
        post("alpha", "instagram", "p1", days_ago(2), views=3000, likes=210, shares=30,
             comments=60, observed_on=today, title="Croissant reel"),
        post("alpha", "facebook", "p2", days_ago(4), views=1000, likes=40, shares=5, comments=5,
             observed_on=today, title="Morning bread"),
        post("alpha", "instagram", "p3", days_ago(12), views=2000, likes=30, shares=5,
             comments=5, observed_on=today, title="Rye <script>alert(1)</script>"),
    ]
    load(businesses, posts).close()
    db = tmp_path / "warehouse.duckdb"
    token = grant(db, ["alpha"])
    with running_server(db, tmp_path) as url:
        yield url, token


def visible_rows(page) -> list[dict[str, str]]:
    return page.eval_on_selector_all(
        "#top-content tbody tr:not([hidden])",
        "rows => rows.map(r => ({platform: r.dataset.platform,"
        " views: r.cells[5].dataset.value,"
        # the title alone: the platform and date folded under it (phones) are left out
        " title: Array.from(r.cells[1].childNodes).filter(n => !(n.classList &&"
        " n.classList.contains('post-meta'))).map(n => n.textContent).join('')"
        ".replace(/\u200b/g, '').trim()}))")


def test_sign_in_pick_a_period_sort_filter_and_download(portal, tmp_path: Path) -> None:
    url, token = portal
    requests: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                    args=["--headless", "--no-sandbox", "--disable-gpu"])
        try:
            context = browser.new_context(accept_downloads=True)
            page = context.new_page()
            page.on("request", lambda request: requests.append(request.url))

            page.goto(f"{url}/portal?token={token}")
            assert page.url == f"{url}/portal"  # the token left the address bar
            page.click("text=Alpha Bakery")
            page.wait_for_url(f"{url}/portal/alpha")
            assert len(visible_rows(page)) == 3  # last 30 days: all three posts

            with page.expect_navigation():
                page.select_option("#period-picker", "7d")
            assert page.url.endswith("/portal/alpha?period=7d")
            assert page.input_value("#period-picker") == "7d"
            assert {r["title"] for r in visible_rows(page)} == {"Croissant reel",
                                                                "Morning bread"}

            with page.expect_navigation():
                page.select_option("#period-picker", "30d")
            page.click("#top-content th:has-text('Views')")
            views = [int(r["views"]) for r in visible_rows(page)]
            assert views == sorted(views, reverse=True) == [3000, 2000, 1000]
            page.click("#top-content th:has-text('Views')")
            assert [int(r["views"]) for r in visible_rows(page)] == [1000, 2000, 3000]

            page.select_option("select[data-filter-for='top-content']", "instagram")
            assert {r["platform"] for r in visible_rows(page)} == {"instagram"}
            assert len(visible_rows(page)) == 2
            # a title is text, never markup
            assert page.locator("#top-content td:has-text('<script>')").count() == 1

            with page.expect_download() as download_info:
                page.click("text=CSV (posts)")
            saved = tmp_path / "posts.csv"
            download_info.value.save_as(saved)
            context.close()
        finally:
            browser.close()
    rows = list(csv.DictReader(io.StringIO(saved.read_bytes().decode("utf-8-sig"))))
    assert sorted(r["content_id"] for r in rows) == ["p1", "p2", "p3"]
    assert requests, "the browser made no request"
    outside = [r for r in requests if not (r.startswith(url + "/") or r.startswith("data:"))]
    assert not outside, outside


def test_a_portal_page_forbids_other_origins(portal) -> None:
    import httpx

    url, token = portal
    page = httpx.get(f"{url}/portal/alpha", cookies={"analytics_token": token}, timeout=60)
    assert page.status_code == 200
    policy = page.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "img-src 'self' data:" in policy


def test_concurrent_dashboards_match_their_one_at_a_time_render(portal) -> None:
    """Charts reuse figures within a process: pages rendered at once must not mix."""
    import re
    from concurrent.futures import ThreadPoolExecutor

    import httpx

    url, token = portal
    stamp = re.compile(r"Generated [^<]*")

    def page(period: str) -> str:
        answer = httpx.get(f"{url}/portal/alpha", params={"period": period},
                           cookies={"analytics_token": token}, timeout=120)
        assert answer.status_code == 200
        return stamp.sub("", answer.text)

    alone = {p: page(p) for p in ("7d", "30d", "90d")}
    with ThreadPoolExecutor(6) as pool:
        together = list(pool.map(page, ["7d", "30d", "90d"] * 2))
    assert together == [alone[p] for p in ("7d", "30d", "90d")] * 2


def test_portal_pages_pass_axe_and_the_nu_checker(portal, tmp_path: Path) -> None:
    """The portal's list and a business's dashboard (the report plus the period picker): no
    WCAG 2.1 A/AA violation from axe-core, no Nu HTML Checker error (issue 17)."""
    from browser import axe_violations, nu_errors

    url, token = portal
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                    args=["--headless", "--no-sandbox", "--disable-gpu"])
        try:
            # the pages' Content-Security-Policy forbids injected scripts: axe needs one
            page = browser.new_context(bypass_csp=True).new_page()
            page.goto(f"{url}/portal?token={token}")
            listing = page.content()
            assert axe_violations(page) == []
            page.click("text=Alpha Bakery")
            page.wait_for_url(f"{url}/portal/alpha")
            assert axe_violations(page) == []
        finally:
            browser.close()
    dashboard = tmp_path / "dashboard.html"
    # the markup as served (not the DOM after scripts), checked as a file
    import httpx

    with httpx.Client(base_url=url, follow_redirects=True) as client:
        client.get("/portal", params={"token": token})
        answer = client.get("/portal/alpha")
        assert answer.status_code == 200 and "Alpha Bakery" in answer.text
        assert 'id="top-content"' in answer.text  # the report itself, not a sign-in page
        dashboard.write_text(answer.text, encoding="utf-8")
        (tmp_path / "listing.html").write_text(client.get("/portal").text, encoding="utf-8")
    assert listing
    assert nu_errors([dashboard, tmp_path / "listing.html"]) == []
