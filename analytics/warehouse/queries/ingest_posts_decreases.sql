-- Counters that went down between two observations of a post (likes 40, then 0), where at
-- least one of the two comes from the file being ingested. Both are kept (platforms do remove
-- likes, and a later observation is the truth as of its day); this only reports them, in the
-- ingest summary and the file's decreases log. `_line` is the line of the file's observation.
WITH new AS (
    SELECT k._line, k.platform, k.content_id, k.observed_date AS observed_on,
           [k.views_n, k.reach_n, k.likes_n, k.shares_n, k.comments_n, k.clicks_n] AS counts
    FROM _checked AS k
    JOIN _status AS s USING (_line)
    WHERE s.status IN ('inserted', 'updated')
),
stored AS (
    -- only the posts of this file: a small file must not sort the whole warehouse
    SELECT platform, content_id, observed_on, ingested_at,
           [views, reach, likes, shares, comments, clicks] AS counts
    FROM content_metrics
    WHERE (platform, content_id) IN (SELECT platform, content_id FROM new)
),
pairs AS (
    -- the file's observation, and the one just before it (stored, or from this file)
    SELECT n._line, n.platform, n.content_id, m.observed_on AS before_day, m.counts AS before,
           n.observed_on AS after_day, n.counts AS after
    FROM new AS n
    ASOF JOIN stored AS m
        ON n.platform = m.platform AND n.content_id = m.content_id
       AND n.observed_on > m.observed_on
    UNION ALL
    -- the file's observation, older than the stored one just after it (a backfill); a later
    -- observation from this same file is paired above
    SELECT n._line, n.platform, n.content_id, n.observed_on, n.counts, m.observed_on, m.counts
    FROM new AS n
    ASOF JOIN stored AS m
        ON n.platform = m.platform AND n.content_id = m.content_id
       AND m.observed_on > n.observed_on
    WHERE m.ingested_at IS DISTINCT FROM $ingested_at
),
counters AS (
    SELECT _line, platform, content_id, before_day, after_day,
           unnest(['views', 'reach', 'likes', 'shares', 'comments', 'clicks']) AS counter,
           unnest(before) AS before_value, unnest(after) AS after_value
    FROM pairs
)
SELECT _line, platform, content_id, counter, before_day, before_value, after_day, after_value
FROM counters
WHERE after_value < before_value
ORDER BY _line, list_position(['views', 'reach', 'likes', 'shares', 'comments', 'clicks'],
                              counter), before_day
