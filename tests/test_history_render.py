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
from analytics.render.chart_text import typical_band
from analytics.render.charts import render_charts
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


def test_the_pdf_carries_the_history_numbers(demo_reports: Path) -> None:
    """Paper has no disclosure to open: the chart's numbers are a table under it. 2026-W46
    (9–15 Nov) of northwind-coffee, as counted on 23 Nov: 20 posts, 2,128 engagements,
    6.5 % (2,128 ÷ 32,665 views) — the figures of report.json's history, checked by hand."""
    model = _model(demo_reports, "northwind-coffee")
    w46 = next(p for p in model["history"] if p["label"] == "2026-W46")
    assert (w46["posts"], w46["engagement"], w46["views"]) == (20, 2_128, 32_665)
    pdf = PdfReader(demo_reports / "northwind-coffee" / DEMO_PERIOD / "report.pdf")
    text = "\n".join(page.extract_text() for page in pdf.pages).replace("\xa0", " ")
    header = re.search(r"^PERIOD ((?:W\d\d ?){12})\n(.*)\n(.*)\n(.*)$", text, re.M)
    assert header, text[:2000]
    weeks = header[1].split()
    assert weeks == [f"W{n}" for n in range(36, 48)]  # the twelve weeks, oldest first
    posts, engagement, rate = (header[i].split() for i in (2, 3, 4))
    col = weeks.index("W46")
    assert posts[0] == "Posts" and posts[1 + col] == "20"
    assert engagement[0] == "Engagement" and engagement[1 + col] == "2,128"
    assert rate[:2] == ["Eng.", "rate"] and rate[2 + 2 * col:4 + 2 * col] == ["6.5", "%"]


def test_the_page_says_why_the_cards_and_the_history_differ(demo_reports: Path) -> None:
    """The card compares last week as it stood 7 days ago (same age: 1,944 engagements for
    2026-W46 on 16 Nov); the history counts it as of 23 Nov (2,128). Both are on the page,
    and the note under the chart (and the appendix) says why they differ."""
    model = _model(demo_reports, "northwind-coffee")
    prev = model["overview"]["previous"]
    assert model["overview"]["growth_basis"] == "same_age" and prev["as_of"] == "2026-11-16"
    assert prev["total_engagement"] == 1_944
    html = (demo_reports / "northwind-coffee" / DEMO_PERIOD / "report.html").read_text()
    section = html[html.index('id="history"'):html.index('id="trends"')]
    note = " ".join(re.sub(r"<[^>]+>", " ", section[section.index('id="history-basis"'):])
                    .split())
    assert ("The cards compare periods at the same age: 2026-W46 as it stood on 16 Nov 2026 "
            "(1,944 engagements). This chart shows each period as counted on 23 Nov 2026 "
            "(2,128 for 2026-W46)") in note
    appendix = " ".join(html[html.index('id="appendix"'):].split())
    assert ("the cards compare periods at the same age, the history shows each period as "
            "counted today") in appendix
    pdf = PdfReader(demo_reports / "northwind-coffee" / DEMO_PERIOD / "report.pdf")
    text = " ".join(" ".join(page.extract_text().split()) for page in pdf.pages)
    assert "The cards compare periods at the same age" in text
    assert "the history chart counts every period as of 23 Nov 2026" in text


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


def test_the_typical_band_is_the_middle_half_of_the_earlier_periods() -> None:
    # 1..8: the 25th percentile is at position 1.75 (2.75), the 75th at 5.25 (6.25)
    assert typical_band([1, 2, 3, 4, 5, 6, 7, 8]) == (2.75, 6.25)
    assert typical_band([1, None, 3, None]) is None  # fewer than four known values


def test_the_shaded_band_is_your_typical_weeks_never_the_usual_range(
        demo_reports: Path) -> None:
    """"Usual range" names only the cards' rule (the 10th–90th percentile of week-to-week
    changes); the history's shading is a level, "your typical weeks", in the chart, its text
    alternative, the note under it (HTML and PDF) and the appendix."""
    model = _model(demo_reports, "northwind-coffee")
    folder = demo_reports / "northwind-coffee" / DEMO_PERIOD
    html = (folder / "report.html").read_text()
    section = html[html.index('<section class="block" id="history">'):]
    section = section[:section.index("</section>")]
    words = " ".join(re.sub(r"<[^>]+>", " ", section).split())
    assert "this period in colour, your typical weeks (the middle half of the earlier weeks) " \
        "shaded." in words
    assert "shaded: your typical weeks (the middle half of the earlier weeks)" in words  # SVG
    # the text alternative names the band with its engagement bounds: the 25th and 75th
    # percentiles of the 11 earlier weeks (positions 2.5 and 7.5 of the sorted values)
    earlier = sorted(h["engagement"] for h in model["history"][:-1])
    assert len(earlier) == 11
    low, high = (earlier[2] + earlier[3]) / 2, (earlier[7] + earlier[8]) / 2
    assert (f"Shaded: your typical weeks, the middle half of the earlier weeks (engagement "
            f"{round(low):,} to {round(high):,}).") in words
    assert "usual range" not in words
    appendix = " ".join(re.sub(r"<[^>]+>", " ", html[html.index('id="appendix"'):]).split())
    assert "Your typical weeks the band shaded in “at a glance”: the middle half" in appendix
    assert "It is a level, where the cards’ usual range is a spread of changes" in appendix
    pdf = PdfReader(folder / "report.pdf")
    text = " ".join(" ".join(page.extract_text().split()) for page in pdf.pages)
    assert "your typical weeks (the middle half of the earlier weeks) shaded" in text
    assert "the usual range (the middle half" not in text
