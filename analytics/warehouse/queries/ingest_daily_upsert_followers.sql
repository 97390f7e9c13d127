-- Follower counts of the new and changed lines of a daily file.
INSERT INTO followers (business_id, platform, day, followers, source_file, ingested_at)
SELECT $business_id, $platform, k.day, k.value, $source_file, $ingested_at
FROM _checked AS k
JOIN _status AS s USING (_line)
WHERE s.status <> 'unchanged' AND k.metric = 'followers'
ON CONFLICT (business_id, platform, day) DO UPDATE SET
    followers = excluded.followers,
    source_file = excluded.source_file,
    ingested_at = excluded.ingested_at
