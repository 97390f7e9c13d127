-- Changed observations are rewritten with their lineage; unchanged ones are left alone (new
-- ones were inserted by ingest_posts_insert_metrics).
INSERT INTO content_metrics (
    platform, content_id, observed_on, views, reach, likes, shares, comments, clicks,
    source_file, ingested_at
)
SELECT k.platform, k.content_id, k.observed_date, k.views_n, k.reach_n, k.likes_n, k.shares_n,
       k.comments_n, k.clicks_n, $source_file, $ingested_at
FROM _checked AS k
JOIN _status AS s USING (_line)
WHERE s.status = 'updated'
ON CONFLICT (platform, content_id, observed_on) DO UPDATE SET
    views = excluded.views,
    reach = excluded.reach,
    likes = excluded.likes,
    shares = excluded.shares,
    comments = excluded.comments,
    clicks = excluded.clicks,
    source_file = excluded.source_file,
    ingested_at = excluded.ingested_at
