"""A business with no posts in the period gets a short, friendly report: no zeros, no charts."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from bs4 import BeautifulSoup
from pypdf import PdfReader

from analytics.metrics.period import Period
from analytics.render.batch import RenderOptions, run_batch
from conftest import small_business, week_posts


def test_no_posts_gives_a_short_friendly_report(load, tmp_path: Path) -> None:
    # quiet posted the week before (W46) and nothing in W47
    posts = week_posts("busy") + [
        p | {"published_at": f"2026-11-{int(p['published_at'][8:10]) - 7:02d}T10:00:00Z"}
        for p in week_posts("quiet", n=3)
    ]
    con = load([small_business("busy"), small_business("quiet", "Quiet Tea House")], posts)
    out = tmp_path / "out"
    result = run_batch(con, None, Period.parse("2026-W47"), date(2026, 11, 30),
                       RenderOptions(out=out, formats=("html", "pdf", "json")), jobs=0)
    assert [o.status for o in result.outcomes] == ["written", "written"]

    folder = out / "quiet" / "2026-W47"
    soup = BeautifulSoup((folder / "report.html").read_text(), "html.parser")
    words = " ".join(soup.get_text(" ").split())
    assert "No posts this week" in words
    assert "We found no posts for Quiet Tea House published between 16 Nov 2026 and " \
           "22 Nov 2026" in words
    assert "16 Nov 2026 – 22 Nov 2026" in words  # the header still says which week
    assert "9 Nov 2026 – 15 Nov 2026 had 3 posts" in words  # and what came before
    # no cards of zeros, no empty charts, no empty tables
    assert not soup.select(".card, figure, svg, table")
    assert "0.0 %" not in words and "NaN" not in words

    pdf = PdfReader(folder / "report.pdf")
    assert len(pdf.pages) == 1
    assert "No posts this week" in pdf.pages[0].extract_text()
    # the busy business next to it got its full report
    busy = BeautifulSoup((out / "busy" / "2026-W47" / "report.html").read_text(), "html.parser")
    assert len(busy.select("#overview .card")) == 4


def test_a_period_before_the_first_post_says_when_the_data_starts(load, tmp_path: Path) -> None:
    con = load([small_business("late", "Late Starter")], week_posts("late"))  # W47 posts
    out = tmp_path / "out"
    run_batch(con, None, Period.parse("2026-W30"), date(2026, 11, 30),
              RenderOptions(out=out, formats=("html", "json")), jobs=0)
    folder = out / "late" / "2026-W30"
    soup = BeautifulSoup((folder / "report.html").read_text(), "html.parser")
    words = " ".join(soup.get_text(" ").split())
    assert "Your data starts on 16 Nov 2026" in words
    assert "may not have reached us" not in words
    import json

    period = json.loads((folder / "report.json").read_text())["period"]
    assert period["data_start"] == "2026-11-16" and period["data_end"] == "2026-11-19"
