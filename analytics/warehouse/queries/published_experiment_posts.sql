-- The A/B experiments files declared for one shard's businesses, as `analytics publish`
-- copies them.
SELECT business_id, experiment, platform, content_id, variant
FROM experiment_posts
WHERE list_contains($business_ids, business_id)
ORDER BY business_id, experiment, platform, content_id
