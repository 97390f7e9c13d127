-- Per business, the local days of its first and last post in the whole warehouse, so a report
-- of a period before the data starts says so (not "exports may not have reached us yet").
SELECT
    c.business_id,
    CAST(min(timezone(b.timezone, c.published_at)) AS DATE) AS first_post,
    CAST(max(timezone(b.timezone, c.published_at)) AS DATE) AS last_post
FROM content AS c
JOIN businesses AS b USING (business_id)
WHERE list_contains($business_ids, c.business_id)
GROUP BY c.business_id
ORDER BY c.business_id
