-- One row per business and local day in [$trend_start, $trend_end], zero-filled: the posts
-- published that day and their counters as of $as_of. A day after $as_of has not happened
-- yet (a period still under way): its posts and counters are NULL, never zeros.
-- With $same_age (the previous period's days, drawn beside this period's), the counters are
-- those of $prev_as_of instead (post_facts' prev_*), the age at which the cards count that
-- period, and a day after $prev_as_of has not happened yet at that age.
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
counted AS (
    SELECT
        business_id,
        published_day,
        CASE WHEN $same_age THEN prev_views ELSE views END AS views,
        CASE WHEN $same_age THEN prev_engagement ELSE engagement END AS engagement
    FROM post_facts
    WHERE published_day BETWEEN $trend_start AND $trend_end
),
daily AS (
    SELECT
        business_id,
        published_day AS day,
        count(*) AS posts,
        sum(views) AS views,
        sum(engagement) AS engagement,
        rate_of_sums(engagement, views) AS engagement_rate
    FROM counted
    GROUP BY business_id, published_day
),
bound AS (
    SELECT CASE WHEN $same_age THEN CAST($prev_as_of AS DATE) ELSE CAST($as_of AS DATE) END
        AS as_of
)
SELECT
    grid.business_id,
    grid.day AS date,
    -- a day without posts is zero; a day whose posts lack a counter keeps it missing
    CASE WHEN grid.day <= bound.as_of THEN coalesce(daily.posts, 0) END AS posts,
    CASE WHEN grid.day > bound.as_of THEN NULL WHEN daily.posts IS NULL THEN 0
         ELSE daily.views END AS views,
    CASE WHEN grid.day > bound.as_of THEN NULL WHEN daily.posts IS NULL THEN 0
         ELSE daily.engagement END AS engagement,
    CASE WHEN grid.day <= bound.as_of THEN daily.engagement_rate END AS engagement_rate
FROM grid
CROSS JOIN bound
LEFT JOIN daily USING (business_id, day)
ORDER BY grid.business_id, grid.day
