"""TikTok: the account overview (one row a day) and the content export (one row a video).

Every value is quoted; dates are a localised day and month with no year (``April 12``, also
in other languages even when the headers are English): ``--year`` or an export period in the
file name gives the year, else the file is refused before anything is written. Post times are
days (no hour). Cells may hold ``undefined`` (missing). The video id and the account handle
come from the video link.
"""

from __future__ import annotations

from analytics.ingest.adapter import Account, DailyFormat, Extract, PostFormat
from analytics.ingest.values import DateStyle

DAY_MONTH = DateStyle("day_month", ("%Y-%m-%d",))

OVERVIEW = DailyFormat(
    name="tiktok-overview",
    platforms=("tiktok",),
    description='TikTok account overview ("Date","Video Views","Profile Views",…)',
    required=("date", "video_views", "profile_views", "likes", "comments", "shares"),
    day="date",
    dates=DAY_MONTH,
    metrics={"video_views": "video_views", "profile_views": "profile_views", "likes": "likes",
             "comments": "comments", "shares": "shares"},
)

CONTENT = PostFormat(
    name="tiktok-content",
    platforms=("tiktok",),
    description='TikTok content export ("Time","Video title","Video link","Post time",…)',
    required=("video_title", "video_link", "post_time", "total_likes", "total_views"),
    content_id=Extract("video_link", r"/video/(\d+)"),
    permalink="video_link",
    title="video_title",
    published_at="post_time",
    dates=DAY_MONTH,
    content_type="video",
    views="total_views",
    likes="total_likes",
    comments="total_comments",
    shares="total_shares",
    accounts=(Account("video_link", r"tiktok\.com/@([^/?#]+)"),),
)
