"""Every format ``analytics ingest`` understands: the one registry that detection, the CLI's
help, the README and the tests loop over."""

from __future__ import annotations

from analytics.ingest import (
    canonical,
    facebook,
    facebook_insights,
    instagram,
    linkedin,
    meta_daily,
    tiktok,
    x,
    youtube,
)
from analytics.ingest.formats import Format

FORMATS: tuple[Format, ...] = (
    canonical.POSTS,
    canonical.BUSINESSES,
    canonical.COMMENTS,
    canonical.EXPERIMENTS,
    x.TWEET_ACTIVITY,
    x.ACCOUNT_ANALYTICS,
    facebook.POSTS,
    facebook_insights.POSTS,
    instagram.POSTS,
    meta_daily.METRIC,
    meta_daily.FOLLOWERS,
    linkedin.POSTS,
    linkedin.METRICS,
    youtube.TABLE_DATA,
    tiktok.OVERVIEW,
    tiktok.CONTENT,
)


def candidates(platform: str | None = None) -> tuple[Format, ...]:
    """The formats a file may be in: all of them, or ``platform``'s and our canonical ones
    (whose rows name their own platform)."""
    if platform is None:
        return FORMATS
    return tuple(f for f in FORMATS if not f.platforms or platform in f.platforms)
