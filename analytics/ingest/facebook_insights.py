"""Facebook Insights post export (2015–2019 layout).

About 42 columns; **row 2 describes each column** and is skipped (and used to tell apart the
header names that repeat). ``Posted`` is ``01/19/2017 09:03:47 AM``, a wall-clock time in the
page's timezone (the business's, or ``--timezone``). Likes, comments and shares are the
"Lifetime Post Stories by action type" counts (the older "Talking About This" columns when
those are absent); clicks are link clicks.
"""

from __future__ import annotations

from analytics.ingest.adapter import Account, PostFormat, Vocabulary
from analytics.ingest.values import DateStyle

STORIES = "lifetime_post_stories_by_action_type_"
TALKING = "lifetime_talking_about_this_post_by_action_type_"

POSTS = PostFormat(
    name="facebook-insights-posts",
    platforms=("facebook",),
    description="Facebook Insights post export, 2015–2019 (Post ID, Permalink, Post Message, …)",
    required=("post_id", "permalink", "post_message", "type", "posted",
              "lifetime_post_total_reach", "lifetime_post_total_impressions"),
    content_id="post_id",
    permalink="permalink",
    title="post_message",
    published_at="posted",
    dates=DateStyle("local", ("%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %I:%M %p", "%m/%d/%Y %H:%M:%S",
                              "%m/%d/%Y %H:%M", "%Y-%m-%d %H:%M:%S")),
    content_type=Vocabulary("type", {
        "photo": "image", "status": "text", "link": "link", "video": "video",
        "sharedvideo": "video", "note": "text", "event": "event", "offer": "offer",
    }),
    views="lifetime_post_total_impressions",
    reach="lifetime_post_total_reach",
    likes=(STORIES + "like", TALKING + "like"),
    comments=(STORIES + "comment", TALKING + "comment"),
    shares=(STORIES + "share", TALKING + "share"),
    clicks="lifetime_post_consumptions_by_type_link_clicks",
    description_row=True,
    accounts=(Account("post_id", r"^(\d+)_"),),  # a post id is <page id>_<post id>
)
