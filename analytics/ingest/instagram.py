"""Meta Business Suite, Instagram posts.

Same conventions as the Facebook export (``Publish time`` in the account's timezone, ``Date``
= ``Lifetime``); post types ``IG image`` / ``IG carousel`` / ``IG reel``. Instagram reports no
clicks per post.
"""

from __future__ import annotations

from analytics.ingest.adapter import Account, PostFormat, Vocabulary
from analytics.ingest.facebook import META_TIME

POSTS = PostFormat(
    name="instagram-posts",
    platforms=("instagram",),
    description="Meta Business Suite Instagram posts export (Post ID, Account username, …)",
    required=("post_id", "account_username", "publish_time", "post_type", "likes", "comments"),
    content_id="post_id",
    permalink="permalink",
    title="description",
    published_at="publish_time",
    dates=META_TIME,
    content_type=Vocabulary("post_type", {
        "ig_image": "image", "ig_carousel": "carousel", "ig_reel": "reel", "ig_video": "video",
        "ig_story": "story", "image": "image", "carousel_album": "carousel",
    }),
    views=("views", "impressions"),
    reach="reach",
    likes="likes",
    shares="shares",
    comments="comments",
    lifetime="date",
    accounts=(Account("account_id"), Account("account_username"), Account("account_name")),
)
