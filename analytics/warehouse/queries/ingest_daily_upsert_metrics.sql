-- The values of the new and changed lines of a daily file, other than followers.
INSERT INTO account_metrics (business_id, platform, metric, day, value, source_file, ingested_at)
SELECT $business_id, $platform, k.metric, k.day, k.value, $source_file, $ingested_at
FROM _checked AS k
JOIN _status AS s USING (_line)
WHERE s.status <> 'unchanged' AND k.metric <> 'followers'
ON CONFLICT (business_id, platform, metric, day) DO UPDATE SET
    value = excluded.value,
    source_file = excluded.source_file,
    ingested_at = excluded.ingested_at
