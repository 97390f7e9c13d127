-- The daily account metrics of one shard's businesses (and their competitors), as
-- `analytics publish` copies them (the history's account views and reach).
SELECT business_id, platform, metric, day, value
FROM account_metrics
WHERE list_contains($business_ids, business_id)
ORDER BY business_id, platform, metric, day
