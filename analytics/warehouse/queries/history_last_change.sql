-- When the warehouse last changed for a business: the last file ingested (any business: a
-- file's business is recorded only for platform exports) and its latest observation day.
SELECT
    (SELECT max(ingested_at) FROM ingest_files) AS ingested_at,
    (SELECT max(m.observed_on)
     FROM content_metrics AS m
     JOIN content AS c USING (platform, content_id)
     WHERE c.business_id = $business_id) AS observed_on
