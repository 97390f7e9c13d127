"""The history section and audience card in the HTML and the PDF (read back), and the
followers line of the email: drawn from report.json, shown only when follower data exists."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

from pypdf import PdfReader

from analytics.delivery.deliver import compose
from analytics.render import render_html
from analytics.render.charts import _usual_range, render_charts
from analytics.report import build_report
from conftest import DEMO_AS_OF, DEMO_PERIOD, small_business, week_posts


def _model(out: Path, business_id: str) -> dict:
    return json.loads((out / business_id / DEMO_PERIOD / "report.json").read_text())


def test_the_html_shows_twelve_weeks_and_the_audience(demo_reports: Path) -> None:
    model = _model(demo_reports, "northwind-coffee")
    html = (demo_reports / "northwind-coffee" / DEMO_PERIOD / "report.html").read_text()
    section = html[html.index('<section class="block" id="history">'):]
    section = section[:section.index("</section>")]
    assert "<h2>12 weeks at a glance</h2>" in section
    assert "<svg" in section and "31 Aug 2026 – 22 Nov 2026" in section
    total = model["audience"]["total"]
    net = total["net_followers"]
    assert f'{"+" if net > 0 else "−"}{abs(net):,}</p>' in section
    rows = re.findall(r'<tr data-platform="(\w+)">', section)
    assert rows == sorted(model["audience"]["platforms"])  # every platform with followers
    # the history section comes right after the overview cards
    assert html.index('id="overview"') < html.index('id="history"') < html.index('id="trends"')


def test_the_pdf_reads_back_the_history_and_the_audience(demo_reports: Path) -> None:
    model = _model(demo_reports, "harbour-yoga")
    reader = PdfReader(demo_reports / "harbour-yoga" / DEMO_PERIOD / "report.pdf")
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "12 weeks at a glance" in text
    assert "AUDIENCE" in text.upper()
    instagram = model["audience"]["platforms"]["instagram"]
    assert f"{instagram['followers_end']:,}" in text


def test_no_follower_data_no_audience_card(load, tmp_path: Path) -> None:
    con = load([small_business("quiet-tea")], week_posts("quiet-tea"))
    model = build_report(con, "quiet-tea", DEMO_PERIOD, DEMO_AS_OF).to_dict()
    assert model["audience"] == {"platforms": {}, "total": None}  # unknown: null, never 0
    html = render_html(model, charts=render_charts(model, ["svg"]))
    assert 'id="history"' in html and 'id="audience"' not in html
    message = compose(model, "a@quiet.example", b"%PDF-", "us@example.com",
                      datetime(2026, 11, 23, tzinfo=UTC))
    assert "Followers" not in message.get_body(("plain",)).get_content()


def test_the_email_has_a_followers_line(demo_reports: Path) -> None:
    model = _model(demo_reports, "northwind-coffee")
    total = model["audience"]["total"]
    message = compose(model, "a@northwind.example", b"%PDF-", "us@example.com",
                      datetime(2026, 11, 23, tzinfo=UTC))
    text = message.get_body(("plain",)).get_content()
    line = next(line for line in text.splitlines() if line.startswith("Followers"))
    net = total["net_followers"]
    assert f"{'+' if net > 0 else '−'}{abs(net):,} net new" in line
    assert f"{total['followers_end']:,} on " in line and "Instagram" in line
    html = message.get_body(("html",)).get_content()
    assert f"{total['followers_end']:,} in all" in html


def test_the_usual_range_is_the_middle_half_of_the_earlier_periods() -> None:
    # 1..8: the 25th percentile is at position 1.75 (2.75), the 75th at 5.25 (6.25)
    assert _usual_range([1, 2, 3, 4, 5, 6, 7, 8]) == (2.75, 6.25)
    assert _usual_range([1, None, 3, None]) is None  # fewer than four known values
