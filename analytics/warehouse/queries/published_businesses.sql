-- The businesses of one shard, as `analytics publish` copies them (ids bound as a list).
SELECT business_id, name, timezone, recipients
FROM businesses
WHERE list_contains($business_ids, business_id)
ORDER BY business_id
