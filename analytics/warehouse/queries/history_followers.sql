-- Followers per business, platform and period: the reading that opens the period (the latest
-- on one of the $max_gap days before its first day) and the one that closes it (the latest
-- within the period, on or before $as_of). A gap longer than that, or no reading inside the
-- period, leaves the value NULL (unknown), never 0. Counts that go down (unfollows) are kept
-- as they are: net followers is then negative. One reading per day: the followers table keeps
-- the last ingested value of a day.
WITH periods AS (
    SELECT unnest($period_starts) AS period_start, unnest($period_ends) AS period_end
),
readings AS (
    SELECT business_id, platform, day, followers, source_file
    FROM followers
    WHERE list_contains($business_ids, business_id)
      AND followers IS NOT NULL
      AND day BETWEEN $first_day - CAST($max_gap AS INTEGER) AND $as_of
)
SELECT
    r.business_id,
    p.period_start,
    p.period_end,
    r.platform,
    arg_max({'n': r.followers, 'day': r.day}, r.day)
        FILTER (WHERE r.day < p.period_start) AS opening,
    arg_max({'n': r.followers, 'day': r.day, 'source': r.source_file}, r.day)
        FILTER (WHERE r.day >= p.period_start) AS closing
FROM readings AS r
JOIN periods AS p
  ON r.day BETWEEN p.period_start - CAST($max_gap AS INTEGER) AND p.period_end
GROUP BY ALL
ORDER BY r.business_id, p.period_start, r.platform
