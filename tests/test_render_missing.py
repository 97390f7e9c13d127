"""A report whose counters are partly unknown renders: gaps, "not reported", never a crash
or a fake zero."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from bs4 import BeautifulSoup
from pypdf import PdfReader

from analytics.metrics.period import Period
from analytics.render.batch import RenderOptions, run_batch
from conftest import post, small_business


def test_unknown_engagement_renders_as_unknown(load, tmp_path: Path) -> None:
    con = load([small_business("gaps", "Gaps & Co")], [
        post("gaps", "x", "seen", "2026-11-17T10:00:00Z", views=800, likes=40,
             observed_on="2026-11-20"),
        # published, but not observed by the as-of date: its counters are unknown
        post("gaps", "x", "unseen", "2026-11-19T10:00:00Z", views=900, likes=50,
             observed_on="2026-11-28"),
    ])
    # a YouTube video whose export carries views only: its engagement is not reported
    con.execute("INSERT INTO content VALUES ('youtube', 'v', 'gaps', 'video', "
                "'2026-11-18 09:00:00+00', 'a video', NULL, true)")
    con.execute("INSERT INTO content_metrics VALUES ('youtube', 'v', '2026-11-20', 3000, NULL, "
                "NULL, NULL, NULL, NULL, 'test', now())")
    out = tmp_path / "out"
    result = run_batch(con, ["gaps"], Period.parse("2026-W47"), date(2026, 11, 23),
                       RenderOptions(out=out, formats=("html", "pdf", "json")), jobs=0)
    assert [(o.status, o.error) for o in result.outcomes] == [("written", None)]
    folder = out / "gaps" / "2026-W47"
    words = " ".join(BeautifulSoup((folder / "report.html").read_text(), "html.parser")
                     .get_text(" ").split())
    assert "Gaps & Co" in words
    assert "engagement not reported" in (folder / "report.html").read_text()  # the bar chart
    assert "NaN" not in words and "None" not in words
    assert len(PdfReader(folder / "report.pdf").pages) >= 2


def test_reach_covering_some_posts_only_says_so(load, tmp_path: Path) -> None:
    con = load([small_business("part")], [
        post("part", "facebook", "f1", "2026-11-17T10:00:00Z", views=1_000, likes=10,
             reach=700, observed_on="2026-11-20"),
        post("part", "facebook", "f2", "2026-11-18T10:00:00Z", views=50_000, likes=10,
             observed_on="2026-11-20"),  # reach left blank in the export
    ])
    out = tmp_path / "out"
    run_batch(con, ["part"], Period.parse("2026-W47"), date(2026, 11, 23),
              RenderOptions(out=out, formats=("html",)), jobs=0)
    words = " ".join(BeautifulSoup((out / "part" / "2026-W47" / "report.html").read_text(),
                                   "html.parser").get_text(" ").split())
    assert "Reach of 1 of 2 posts (the others report none)" in words
