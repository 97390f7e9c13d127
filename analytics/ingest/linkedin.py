"""LinkedIn page content export: an ``.xlsx`` workbook with the sheets ``All posts`` and
``Metrics`` (daily).

Row 1 of each sheet is a note ("All dates and times are in UTC"); the header is row 2.
``Created date`` is MM/DD/YYYY text with no time (a day: weekday analysis only). Impressions
are our views (LinkedIn's ``Views`` counts video views); ``Reposts`` (``Shares`` in older
versions) are our shares. LinkedIn gives no reach per post; rates (fractions) are left out, as
they follow from the counts. The daily sheet goes to ``account_metrics``, one metric per count
column (``impressions_total``, ``clicks_organic``…).
"""

from __future__ import annotations

from analytics.ingest.adapter import Account, DailyFormat, Extract, PostFormat, Vocabulary
from analytics.ingest.values import DateStyle

#: Text dates as LinkedIn writes them, or a cell the workbook holds as a real date (and time)
DAY = DateStyle("day", ("%m/%d/%Y", "%Y-%m-%d", "%m/%d/%y", "%Y-%m-%dT%H:%M:%S"))

POSTS = PostFormat(
    name="linkedin-posts",
    platforms=("linkedin",),
    description="LinkedIn page content export, sheet All posts (Post title, Post link, …)",
    required=("post_title", "post_link", "created_date", "impressions", "clicks", "likes",
              "comments", ("reposts", "shares")),
    # https://www.linkedin.com/feed/update/urn:li:activity:7123… → urn:li:activity:7123…
    content_id=Extract("post_link", r"(urn:li:[A-Za-z]+:\d+)", whole=True),
    permalink="post_link",
    title="post_title",
    published_at="created_date",
    dates=DAY,
    content_type=Vocabulary("content_type", {
        "images": "image", "image": "image", "multi_image": "carousel", "videos": "video",
        "video": "video", "text": "text", "article": "article", "document": "document",
        "carousel": "carousel", "poll": "poll", "link": "link", "url": "link",
    }),
    views="impressions",
    likes="likes",
    comments="comments",
    shares=("reposts", "shares"),
    clicks="clicks",
    accounts=(Account(where="file", pattern=r"^(.+?)_content_"),),
)

METRICS = DailyFormat(
    name="linkedin-metrics",
    platforms=("linkedin",),
    description="LinkedIn page content export, sheet Metrics (Date, Impressions (total), …)",
    required=("date", ("impressions_total", "impressions_organic"),
              ("clicks_total", "clicks_organic")),
    day="date",
    dates=DAY,
    other_columns=True,
)
