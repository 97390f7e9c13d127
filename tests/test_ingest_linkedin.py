"""LinkedIn page content export: an .xlsx workbook (generated), a note in row 1 of each sheet,
posts in "All posts" and daily figures in "Metrics"."""

from __future__ import annotations

from datetime import UTC, datetime

import openpyxl
import pytest
from ingest_helpers import add_business, run, snapshot

from analytics.ingest import PlanError

POSTS = ["Post title", "Post link", "Post type", "Campaign name", "Posted by", "Created date",
         "Campaign start date", "Campaign end date", "Audience", "Impressions", "Views",
         "Offsite Views", "Clicks", "Click through rate (CTR)", "Likes", "Comments", "Reposts",
         "Follows", "Engagement rate", "Content Type"]
METRICS = ["Date", "Impressions (organic)", "Impressions (sponsored)", "Impressions (total)",
           "Clicks (organic)", "Clicks (sponsored)", "Clicks (total)", "Reactions (total)",
           "Engagement rate (total)"]
LINK = "https://www.linkedin.com/feed/update/urn:li:activity:{}"


def workbook(path, *, reposts="Reposts"):
    book = openpyxl.Workbook()
    posts = book.active
    posts.title = "All posts"
    posts.append(["All dates and times are in UTC"])
    posts.append([reposts if c == "Reposts" else c for c in POSTS])
    posts.append(["Our new office", LINK.format(7100000000000000001), "Organic", "", "Ann",
                  "03/14/2025", "", "", "All followers", 5400, "", "", 120, 0.0222, 88, 9, 4,
                  2, 0.04, "Image"])
    posts.append(["Hiring!", LINK.format(7100000000000000002), "Sponsored", "Q1", "Ann",
                  "03/15/2025", "03/15/2025", "03/30/2025", "", 12000, 3000, "", 400, 0.033,
                  150, 20, 11, 30, 0.05, "Video"])
    posts.append(["Old post", "", "Organic", "", "Ann", "03/16/2025", "", "", "", 10, "", "", 1,
                  0.1, 0, 0, 0, 0, 0, "Text"])
    metrics = book.create_sheet("Metrics")
    metrics.append(["All dates and times are in UTC"])
    metrics.append(METRICS)
    metrics.append(["03/14/2025", 5000, 0, 5000, 100, 0, 100, 80, 0.03])
    metrics.append(["03/15/2025", 6000, 9000, 15000, 150, 300, 450, 160, 0.04])
    book.create_sheet("Notes").append(["Nothing to see"])
    book.save(path)
    return path


@pytest.mark.parametrize("reposts", ["Reposts", "Shares"])
def test_both_sheets_ingest_in_one_go(fresh_db, tmp_path, reposts):
    add_business(fresh_db, "northwind")
    path = workbook(tmp_path / "northwind_content_1742342400000.xlsx", reposts=reposts)
    results = run(fresh_db, [path], tmp_path, business="northwind")
    assert [(r.sheet, r.format, r.read, r.inserted, r.rejected) for r in results] == [
        ("All posts", "linkedin-posts", 3, 2, 1),
        ("Metrics", "linkedin-metrics", 2, 2, 0),
    ]
    assert results[0].rejects[0][:2] == (5, "Post link")  # a post with no link has no id
    assert any("Notes" in note for note in results[0].notes)
    rows = fresh_db.execute(
        "SELECT content_id, content_type, published_at, published_time_known, views, reach, "
        "likes, comments, shares, clicks, observed_on FROM content "
        "JOIN content_metrics USING (platform, content_id) ORDER BY 1").fetchall()
    observed = datetime(2025, 3, 19).date()  # the export time in the file name (epoch ms)
    assert rows == [
        ("urn:li:activity:7100000000000000001", "image", datetime(2025, 3, 14, tzinfo=UTC),
         False, 5400, None, 88, 9, 4, 120, observed),
        ("urn:li:activity:7100000000000000002", "video", datetime(2025, 3, 15, tzinfo=UTC),
         False, 12000, None, 150, 20, 11, 400, observed),
    ]
    daily = fresh_db.execute(
        "SELECT metric, sum(value) FROM account_metrics GROUP BY 1 ORDER BY 1").fetchall()
    # rates are left out: they follow from the counts
    assert daily == [("clicks_organic", 250), ("clicks_sponsored", 300), ("clicks_total", 550),
                     ("impressions_organic", 11000), ("impressions_sponsored", 9000),
                     ("impressions_total", 20000), ("reactions_total", 240)]


def test_a_workbook_is_one_transaction(fresh_db, tmp_path):
    """The business cannot be told: neither sheet is written."""
    add_business(fresh_db, "northwind")
    path = workbook(tmp_path / "export.xlsx")
    before = snapshot(fresh_db)
    with pytest.raises(PlanError, match="cannot tell which business"):
        run(fresh_db, [path], tmp_path)
    assert snapshot(fresh_db) == before


def test_an_old_xls_workbook_is_refused_with_a_hint(fresh_db, tmp_path):
    path = tmp_path / "content.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0 not really")
    result = run(fresh_db, [path], tmp_path, business="x")[0]
    assert "save the file as .xlsx" in result.error
