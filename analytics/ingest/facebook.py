"""Meta Business Suite, Facebook posts (2024+ layout).

UTF-8 with a BOM; the columns vary by month, so only a few are required. ``Publish time`` is a
wall-clock time in the page's timezone (the business's, or ``--timezone``). ``Date`` must say
``Lifetime``: the counters are then lifetime totals. Reactions are our likes. The caption is in
``Title`` or ``Description`` depending on the post type, often in mathematical-bold letters
(stored NFKC-normalised, as plain letters). ``Reactions, Comments and Shares`` is not used: it
is meant to be their sum, and real files disagree with it now and then.
"""

from __future__ import annotations

from analytics.ingest.adapter import Account, PostFormat, Vocabulary
from analytics.ingest.values import DateStyle

#: Meta writes publication times as MM/DD/YYYY in the account's timezone.
META_TIME = DateStyle("local", ("%m/%d/%Y %H:%M", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %I:%M %p",
                                "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"))

POSTS = PostFormat(
    name="facebook-posts",
    platforms=("facebook",),
    description="Meta Business Suite Facebook posts export, 2024+ (Post ID, Page ID, …)",
    required=("post_id", "page_id", "publish_time", "post_type", "reactions", "comments",
              "shares"),
    content_id="post_id",
    permalink="permalink",
    title=("title", "description"),
    published_at="publish_time",
    dates=META_TIME,
    content_type=Vocabulary("post_type", {
        "photos": "image", "photo": "image", "reels": "reel", "reel": "reel",
        "videos": "video", "video": "video", "live": "video", "links": "link",
        "link": "link", "text": "text", "status": "text", "albums": "carousel",
    }),
    views=("views", "impressions"),  # "Impressions" before Meta renamed it in 2025
    reach="reach",
    likes="reactions",
    comments="comments",
    shares="shares",
    clicks="link_clicks",
    lifetime="date",
    accounts=(Account("page_id"), Account("page_name"),
              # the file name ends with the id of the asset it was exported from
              Account(where="file", pattern=r"_(\d{6,})$")),
)
