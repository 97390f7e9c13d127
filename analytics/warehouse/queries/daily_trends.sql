-- One row per business and local day in [$trend_start, $trend_end], zero-filled: the posts
-- published that day and their counters as of $as_of. A day after $as_of has not happened
-- yet (a period still under way): its posts and counters are NULL, never zeros.
WITH days AS (
    SELECT CAST(d AS DATE) AS day
    FROM generate_series(CAST($trend_start AS DATE), CAST($trend_end AS DATE), INTERVAL 1 DAY)
        AS t(d)
),
grid AS (
    SELECT b.business_id, days.day
    FROM (SELECT unnest($business_ids) AS business_id) AS b
    CROSS JOIN days
),
daily AS (
    SELECT
        business_id,
        published_day AS day,
        count(*) AS posts,
        sum(views) AS views,
        sum(engagement) AS engagement,
        rate_of_sums(engagement, views) AS engagement_rate
    FROM post_facts
    WHERE published_day BETWEEN $trend_start AND $trend_end
    GROUP BY business_id, published_day
)
SELECT
    grid.business_id,
    grid.day AS date,
    -- a day without posts is zero; a day whose posts lack a counter keeps it missing
    CASE WHEN grid.day <= $as_of THEN coalesce(daily.posts, 0) END AS posts,
    CASE WHEN grid.day > $as_of THEN NULL WHEN daily.posts IS NULL THEN 0 ELSE daily.views END
        AS views,
    CASE WHEN grid.day > $as_of THEN NULL WHEN daily.posts IS NULL THEN 0
         ELSE daily.engagement END AS engagement,
    daily.engagement_rate
FROM grid
LEFT JOIN daily USING (business_id, day)
ORDER BY grid.business_id, grid.day
