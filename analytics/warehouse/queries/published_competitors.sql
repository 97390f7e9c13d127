-- Which of one shard's businesses are competitors, and of whom, as `analytics publish` copies
-- them (a competitor is published in its client's shard).
SELECT business_id, competitor_of
FROM competitors
WHERE list_contains($business_ids, business_id)
ORDER BY business_id
