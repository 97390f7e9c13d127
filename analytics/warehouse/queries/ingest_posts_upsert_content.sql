-- New posts are added; known posts take the attributes of their latest observation in the file.
-- A date without an hour never overwrites a known publication time.
INSERT INTO content (
    platform, content_id, business_id, content_type, published_at, title, permalink,
    published_time_known
)
SELECT platform, content_id, business_id, content_type, published_ts, title, permalink,
       NOT date_only
FROM _checked
WHERE problem IS NULL AND post_winner
ON CONFLICT (platform, content_id) DO UPDATE SET
    content_type = excluded.content_type,
    published_at = CASE WHEN excluded.published_time_known OR NOT content.published_time_known
                        THEN excluded.published_at ELSE content.published_at END,
    published_time_known = excluded.published_time_known OR content.published_time_known,
    title = coalesce(excluded.title, content.title),
    permalink = coalesce(excluded.permalink, content.permalink)
