-- The state of each business's data a reader saw: how many observations of its posts the
-- warehouse held and when the newest of them was ingested (recorded in report.json, so a
-- report says which ingests it includes). Businesses without posts are absent.
SELECT
    c.business_id,
    count(*) AS observations,
    max(m.ingested_at) AS last_ingest_at
FROM content AS c
JOIN content_metrics AS m USING (platform, content_id)
WHERE list_contains($business_ids, c.business_id)
GROUP BY c.business_id
ORDER BY c.business_id
