-- The observations of one shard's posts (the columns reports read), as `analytics publish`
-- copies them; content_metrics names no business, so the shard is found through content.
SELECT m.platform, m.content_id, m.observed_on, m.views, m.reach, m.likes, m.shares,
       m.comments, m.clicks
FROM content_metrics AS m
JOIN content AS c USING (platform, content_id)
WHERE list_contains($business_ids, c.business_id)
ORDER BY m.platform, m.content_id, m.observed_on
