-- Upsert computed history rows (registered as _history_rows): a period's row is replaced by
-- its latest computation, never duplicated.
INSERT INTO business_metrics
SELECT *, $computed_at AS computed_at FROM _history_rows
ON CONFLICT (business_id, period_start, period_end, platform) DO UPDATE SET
    period_kind = excluded.period_kind,
    label = excluded.label,
    as_of = excluded.as_of,
    complete = excluded.complete,
    posts = excluded.posts,
    views = excluded.views,
    reach = excluded.reach,
    reach_posts = excluded.reach_posts,
    engagement = excluded.engagement,
    clicks = excluded.clicks,
    engagement_rate = excluded.engagement_rate,
    ctr = excluded.ctr,
    followers_start = excluded.followers_start,
    followers_end = excluded.followers_end,
    net_followers = excluded.net_followers,
    computed_at = excluded.computed_at
