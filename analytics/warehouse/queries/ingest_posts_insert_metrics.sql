-- New observations, with their lineage. The checks guarantee they clash with nothing (no
-- stored observation has their key, and the file holds each key once), so a plain insert does:
-- on a large file it is several times faster than an upsert.
INSERT INTO content_metrics (
    platform, content_id, observed_on, views, reach, likes, shares, comments, clicks,
    source_file, ingested_at
)
SELECT k.platform, k.content_id, k.observed_date, k.views_n, k.reach_n, k.likes_n, k.shares_n,
       k.comments_n, k.clicks_n, $source_file, $ingested_at
FROM _checked AS k
JOIN _status AS s USING (_line)
WHERE s.status = 'inserted'
