-- The posts of one shard's businesses, as `analytics publish` copies them.
SELECT platform, content_id, business_id, content_type, published_at, title, permalink,
       published_time_known
FROM content
WHERE list_contains($business_ids, business_id)
ORDER BY business_id, platform, content_id
