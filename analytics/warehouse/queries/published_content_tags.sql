-- The hashtags and A/B tags of one shard's posts, as `analytics publish` copies them;
-- content_tags names no business, so the shard is found through content.
SELECT t.platform, t.content_id, t.kind, t.tag
FROM content_tags AS t
JOIN content AS c USING (platform, content_id)
WHERE list_contains($business_ids, c.business_id)
ORDER BY t.platform, t.content_id, t.kind, t.tag
