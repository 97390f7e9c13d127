"""Facebook Insights post export, 2015–2019 layout (no sample: generated from the notes):
row 2 describes the columns, and some header names repeat."""

from __future__ import annotations

import csv
from datetime import UTC, datetime

from ingest_helpers import add_business, one, run

HEADER = [
    "Post ID", "Permalink", "Post Message", "Type", "Countries", "Languages", "Posted",
    "Audience Targeting", "Lifetime Post Total Reach", "Lifetime Post organic reach",
    "Lifetime Post Total Impressions", "Lifetime Organic watches at 95%",
    "Lifetime Organic watches at 95%", "Lifetime Post Stories by action type",
    "Lifetime Post Stories by action type", "Lifetime Post Stories by action type",
    "Lifetime Post Consumptions by type - link clicks",
]
DESCRIPTIONS = [
    "", "", "", "", "", "", "", "",
    "Lifetime: The number of people who had your Page's post enter their screen. (Unique Users)",
    "Lifetime: The number of people who saw your post through unpaid distribution. (Unique "
    "Users)",
    "Lifetime: The number of times your Page's post entered a person's screen. (Total Count)",
    "Lifetime: The number of people who viewed 95% of your video. (Unique Users)",
    "Lifetime: The number of times your video was viewed to 95%. (Total Count)",
    "like", "comment", "share", "Lifetime: link clicks. (Total Count)",
]


def write_insights(path, rows):
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerow(DESCRIPTIONS)
        writer.writerows(rows)
    return path


def test_description_row_is_skipped_and_names_the_repeated_columns(fresh_db, tmp_path):
    add_business(fresh_db, "lumen-books", "America/Los_Angeles")
    path = write_insights(tmp_path / "Facebook Insights Data Export (Post) - Lumen.csv", [
        ["123456789_1001", "https://www.facebook.com/123456789/posts/1001", "New arrivals",
         "Photo", "", "", "01/19/2017 09:03:47 AM", "", "1500", "1400", "2600", "", "", "30",
         "4", "2", "17"],
        ["123456789_1002", "https://www.facebook.com/123456789/posts/1002", "Author talk",
         "SharedVideo", "", "", "01/20/2017 06:30:00 PM", "", "900", "900", "1200", "50", "70",
         "12", "1", "0", ""],
        ["123456789_1003", "https://www.facebook.com/123456789/posts/1003", "Impossible",
         "Status", "", "", "02/30/2017 10:00:00 AM", "", "1", "1", "1", "", "", "0", "0", "0",
         "0"],
    ])
    result = one(run(fresh_db, [path], tmp_path, business="lumen-books"))
    assert result.skipped == [(2, "the description row below the header")]
    assert (result.read, result.inserted, result.rejected) == (3, 2, 1)
    assert result.rejects[0][:2] == (5, "Posted")
    rows = fresh_db.execute(
        "SELECT content_id, content_type, published_at, views, reach, likes, comments, shares, "
        "clicks FROM content JOIN content_metrics USING (platform, content_id) ORDER BY 1"
    ).fetchall()
    assert rows == [
        # 09:03:47 AM Pacific (UTC-8 in January)
        ("123456789_1001", "image", datetime(2017, 1, 19, 17, 3, 47, tzinfo=UTC),
         2600, 1500, 30, 4, 2, 17),
        ("123456789_1002", "video", datetime(2017, 1, 21, 2, 30, tzinfo=UTC),
         1200, 900, 12, 1, 0, None),
    ]
