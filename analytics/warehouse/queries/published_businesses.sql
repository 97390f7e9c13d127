-- The businesses of one shard (its clients and their competitors), as `analytics publish`
-- copies them (ids bound as a list).
SELECT business_id, name, timezone, recipients, cadence
FROM businesses
WHERE list_contains($business_ids, business_id)
ORDER BY business_id
