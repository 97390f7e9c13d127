"""YouTube Studio ``Table data.csv``: one row per video, the columns the user selected.

Row 2 is a ``Total`` row (skipped); a copy re-saved by a spreadsheet may lack it and write
dates as ``3-Jun-26`` instead of ``Jan 8, 2025``. The publish time is a day (no hour). Views
are video views (the thumbnail impressions YouTube also reports are not views of the video);
likes, comments and shares are kept when selected, missing otherwise. YouTube reports no
reach and no clicks per video (its CTR is the thumbnails' and is left out, as is watch time).
The export names no channel, except in the folder YouTube Studio's zip unpacks to
(``Content 2025-01-01_2025-01-31 Channel name``).
"""

from __future__ import annotations

from analytics.ingest.adapter import Account, PostFormat, Vocabulary
from analytics.ingest.values import DateStyle

TABLE_DATA = PostFormat(
    name="youtube-table-data",
    platforms=("youtube",),
    description="YouTube Studio Table data.csv (Content, Video title, Video publish time, …)",
    required=("content", "video_title", "video_publish_time", "views"),
    # Chart data.csv has a Date column: one row per video and day, not lifetime totals
    forbidden=("date",),
    content_id="content",
    title="video_title",
    permalink_template="https://www.youtube.com/watch?v={content_id}",
    published_at="video_publish_time",
    dates=DateStyle("day", ("%b %d, %Y", "%B %d, %Y", "%d-%b-%y", "%d-%b-%Y", "%Y-%m-%d")),
    content_type=Vocabulary("content_type", {"videos": "video", "shorts": "short",
                                             "short": "short", "live": "live"}, blank="video"),
    views="views",
    likes="likes",
    comments="comments",
    shares="shares",
    total_row="content",
    accounts=(Account(where="folder",
                      pattern=r"^Content \d{4}-\d{2}-\d{2}_\d{4}-\d{2}-\d{2} (.+)$"),),
)
