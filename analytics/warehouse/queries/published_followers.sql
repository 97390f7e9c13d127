-- The follower readings of one shard's businesses (and their competitors), as `analytics publish`
-- copies them (the history's audience).
SELECT business_id, platform, day, followers, source_file
FROM followers
WHERE list_contains($business_ids, business_id)
ORDER BY business_id, platform, day
