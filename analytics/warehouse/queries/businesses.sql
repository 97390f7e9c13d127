-- The businesses asked for (all when $business_ids is NULL), with their post counts, and the
-- client a competitor is benchmarked against (NULL for a client).
SELECT
    b.business_id,
    b.name,
    b.timezone,
    b.recipients,
    coalesce(b.cadence, 'weekly') AS cadence,
    k.competitor_of,
    count(c.content_id) AS posts,
    min(c.published_at) AS first_post,
    max(c.published_at) AS last_post
FROM businesses AS b
LEFT JOIN competitors AS k USING (business_id)
LEFT JOIN content AS c USING (business_id)
WHERE $business_ids IS NULL OR list_contains($business_ids, b.business_id)
GROUP BY ALL
ORDER BY b.business_id
