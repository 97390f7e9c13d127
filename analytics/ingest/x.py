"""X (Twitter): the tweet activity export (2014–2023) and the account analytics content export
(2024+).

X's ``engagements`` also counts clicks, detail expands and media engagements, so it is *not*
our engagement; likes, retweets/reposts (shares) and replies (comments) are mapped one by one.
Clicks are URL clicks (link clicks, what CTR means). X reports no reach, and neither layout
says whether a post held text, an image or a video: the content type is ``unknown``.
"""

from __future__ import annotations

from analytics.ingest.adapter import Account, PostFormat
from analytics.ingest.values import DateStyle

HANDLE_IN_LINK = r"(?:twitter|x)\.com/([^/?#]+)/status"

TWEET_ACTIVITY = PostFormat(
    name="x-tweet-activity",
    platforms=("x",),
    description="X/Twitter tweet activity export, 2014–2023 (tweet_activity_metrics_*.csv)",
    required=("tweet_id", "tweet_permalink", "time", "impressions", "engagements", "retweets",
              "replies", ("likes", "favorites")),
    content_id="tweet_id",
    permalink="tweet_permalink",
    title="tweet_text",
    unescape=True,  # the text holds &amp; and friends
    published_at="time",
    dates=DateStyle("instant", ("%Y-%m-%d %H:%M %z", "%Y-%m-%d %H:%M:%S %z", "%Y-%m-%d %H:%M")),
    content_type="unknown",
    views="impressions",
    likes=("likes", "favorites"),  # older files call likes favorites
    shares="retweets",
    comments="replies",
    clicks="url_clicks",
    accounts=(
        Account(where="file", pattern=r"^tweet_activity_metrics_(.+?)_\d{8}_\d{8}"),
        Account("tweet_permalink", HANDLE_IN_LINK),
    ),
)

ACCOUNT_ANALYTICS = PostFormat(
    name="x-account-analytics",
    platforms=("x",),
    description="X account analytics content export, 2024+ (Post id, Date, Post text, …)",
    required=("post_id", "date", "post_text", "impressions", "likes", "engagements", "replies",
              "reposts"),
    content_id="post_id",
    permalink="post_link",
    title="post_text",
    published_at="date",
    # a day without an hour: such posts count for weekday analysis only
    dates=DateStyle("day", ("%a, %b %d, %Y", "%b %d, %Y", "%Y-%m-%d", "%m/%d/%Y")),
    content_type="unknown",
    views="impressions",
    likes="likes",
    # X's "Shares" (sent in a message, link copied) is not a repost; reposts are our shares,
    # as retweets were in the older layout
    shares="reposts",
    comments="replies",
    clicks="url_clicks",
    accounts=(Account("post_link", HANDLE_IN_LINK),),
)
