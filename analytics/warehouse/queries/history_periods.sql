-- The history of each business of a snapshot: for each period ($period_starts[i] ..
-- $period_ends[i], local days), one row per platform and one for all platforms
-- (platform 'all', always present), with counters as of the snapshot's as-of date, the
-- followers at the period's start and end, and the account-level views and reach of the
-- platforms' daily account files. Every business × period has its 'all' row; a period without
-- posts gets the overview's zeros (views, engagement, clicks 0; reach and rates NULL).
--
-- Posts: the same sums and rates as period_totals.sql (one macro, post_totals), so a period's
-- 'all' row equals the overview of that period's own report as of the same day.
-- Followers: the period opens with the latest reading on one of the $max_gap days before its
-- first day and closes with the latest reading within it (on or before $as_of); a longer gap,
-- or no reading inside the period, leaves the value NULL (unknown), never 0; counts that fall
-- (unfollows) are kept: net is then negative. The 'all' row adds up the platforms known at
-- both ends (named in `source`).
-- Account (the report's own period, from $audience_start): the sum of its days up to $as_of
-- of the first metric of $views_metrics
-- (and of $reach_metrics) a platform's files provide, and how many days reported views.
WITH periods AS (
    SELECT unnest($period_starts) AS period_start, unnest($period_ends) AS period_end,
           unnest($period_labels) AS label
),
scope AS (
    SELECT unnest($business_ids) AS business_id
),
totals AS MATERIALIZED (
    SELECT
        f.business_id,
        p.period_start,
        CASE WHEN grouping(f.platform) = 1 THEN 'all' ELSE f.platform END AS platform,
        -- the overview's own totals (metric_macros.sql): posts, views, reach, reach_posts,
        -- engagement, clicks, engagement_rate, ctr
        unnest(post_totals(f.views, f.reach, f.engagement, f.clicks))
    FROM post_facts AS f
    JOIN periods AS p ON f.published_day BETWEEN p.period_start AND p.period_end
    GROUP BY GROUPING SETS ((f.business_id, p.period_start, f.platform),
                            (f.business_id, p.period_start))
),
readings AS (
    SELECT r.business_id, r.platform, r.day, r.followers, r.source_file
    FROM followers AS r
    JOIN scope USING (business_id)
    WHERE r.followers IS NOT NULL
      AND r.day BETWEEN $first_day - CAST($max_gap AS INTEGER) AND $as_of
),
follower_ends AS (
    SELECT
        r.business_id,
        p.period_start,
        r.platform,
        arg_max({'n': r.followers, 'day': r.day}, r.day)
            FILTER (WHERE r.day < p.period_start) AS opening,
        arg_max({'n': r.followers, 'day': r.day, 'source': r.source_file}, r.day)
            FILTER (WHERE r.day >= p.period_start) AS closing
    FROM readings AS r
    JOIN periods AS p
      ON r.day BETWEEN p.period_start - CAST($max_gap AS INTEGER) AND p.period_end
    GROUP BY ALL
),
wanted_metrics AS (
    SELECT DISTINCT unnest(list_concat($views_metrics, $reach_metrics)) AS metric
),
daily AS (
    -- only the report's own period: account figures feed its audience, not the stored rows
    SELECT a.business_id, a.platform, a.metric, a.day, a.value
    FROM account_metrics AS a
    JOIN scope USING (business_id)
    JOIN wanted_metrics USING (metric)
    WHERE a.day BETWEEN $audience_start AND $as_of
),
chosen AS (
    -- per business and platform, the preferred metric name present for views and for reach
    SELECT business_id, platform,
           arg_min(metric, list_position($views_metrics, metric))
               FILTER (WHERE list_contains($views_metrics, metric)) AS views_metric,
           arg_min(metric, list_position($reach_metrics, metric))
               FILTER (WHERE list_contains($reach_metrics, metric)) AS reach_metric
    FROM (SELECT DISTINCT business_id, platform, metric FROM daily)
    GROUP BY ALL
),
account AS (
    SELECT
        d.business_id,
        p.period_start,
        d.platform,
        sum(d.value) FILTER (WHERE d.metric = c.views_metric) AS account_views,
        count(d.value) FILTER (WHERE d.metric = c.views_metric) AS account_days,
        sum(d.value) FILTER (WHERE d.metric = c.reach_metric) AS account_reach
    FROM daily AS d
    JOIN chosen AS c USING (business_id, platform)
    JOIN periods AS p ON d.day BETWEEN p.period_start AND p.period_end
    GROUP BY ALL
    HAVING account_views IS NOT NULL OR account_reach IS NOT NULL
),
by_platform AS MATERIALIZED (
    SELECT
        business_id, period_start, platform,
        t.posts, t.views, t.reach, t.reach_posts, t.engagement, t.clicks,
        t.engagement_rate, t.ctr,
        f.opening.n AS followers_start,
        f.closing.n AS followers_end,
        f.closing.n - f.opening.n AS net_followers,
        regexp_extract(f.closing.source, '[^/]*$') AS source,
        f.opening.day AS start_day,
        f.closing.day AS end_day,
        a.account_views, a.account_reach, coalesce(a.account_days, 0) AS account_days,
        f.business_id IS NOT NULL OR a.business_id IS NOT NULL AS in_audience
    FROM (SELECT * FROM totals WHERE platform <> 'all') AS t
    FULL JOIN follower_ends AS f USING (business_id, period_start, platform)
    FULL JOIN account AS a USING (business_id, period_start, platform)
),
audience_total AS (
    SELECT
        business_id, period_start,
        sum(followers_start) FILTER (WHERE net_followers IS NOT NULL) AS followers_start,
        sum(followers_end) FILTER (WHERE net_followers IS NOT NULL) AS followers_end,
        sum(net_followers) AS net_followers,
        string_agg(platform, ' + ' ORDER BY platform)
            FILTER (WHERE net_followers IS NOT NULL) AS source,
        min(start_day) FILTER (WHERE net_followers IS NOT NULL) AS start_day,
        max(end_day) FILTER (WHERE net_followers IS NOT NULL) AS end_day,
        sum(account_views) AS account_views,
        sum(account_reach) AS account_reach,
        coalesce(max(account_days) FILTER (WHERE account_views IS NOT NULL), 0) AS account_days,
        bool_or(net_followers IS NOT NULL OR account_views IS NOT NULL
                OR account_reach IS NOT NULL) AS in_audience
    FROM by_platform
    WHERE in_audience
    GROUP BY ALL
),
all_rows AS (
    SELECT
        s.business_id, p.period_start, 'all' AS platform,
        coalesce(t.posts, 0) AS posts,
        CASE WHEN t.posts IS NULL THEN 0 ELSE t.views END AS views,
        t.reach, coalesce(t.reach_posts, 0) AS reach_posts,
        CASE WHEN t.posts IS NULL THEN 0 ELSE t.engagement END AS engagement,
        CASE WHEN t.posts IS NULL THEN 0 ELSE t.clicks END AS clicks,
        t.engagement_rate, t.ctr,
        u.followers_start, u.followers_end, u.net_followers, u.source, u.start_day,
        u.end_day, u.account_views, u.account_reach, coalesce(u.account_days, 0) AS account_days,
        coalesce(u.in_audience, false) AS in_audience
    FROM scope AS s
    CROSS JOIN periods AS p
    LEFT JOIN (SELECT * FROM totals WHERE platform = 'all') AS t USING (business_id, period_start)
    LEFT JOIN audience_total AS u USING (business_id, period_start)
)
SELECT
    r.business_id, $period_kind AS period_kind, p.period_start, p.period_end, p.label,
    r.platform, CAST($as_of AS DATE) AS as_of, p.period_end < $as_of AS complete,
    -- sums come back as HUGEINT: counts fit in BIGINT
    coalesce(r.posts, 0) AS posts,
    CAST(CASE WHEN r.posts IS NULL THEN 0 ELSE r.views END AS BIGINT) AS views,
    CAST(r.reach AS BIGINT) AS reach,
    coalesce(r.reach_posts, 0) AS reach_posts,
    CAST(CASE WHEN r.posts IS NULL THEN 0 ELSE r.engagement END AS BIGINT) AS engagement,
    CAST(CASE WHEN r.posts IS NULL THEN 0 ELSE r.clicks END AS BIGINT) AS clicks,
    r.engagement_rate, r.ctr,
    CAST(r.followers_start AS BIGINT) AS followers_start,
    CAST(r.followers_end AS BIGINT) AS followers_end,
    CAST(r.net_followers AS BIGINT) AS net_followers,
    -- the audience's own columns (not stored): growth, where the counts came from, account
    percent_of(r.net_followers, r.followers_start) AS growth_rate,
    r.source, r.start_day, r.end_day,
    CAST(r.account_views AS BIGINT) AS account_views,
    CAST(r.account_reach AS BIGINT) AS account_reach,
    r.account_days, r.in_audience
FROM (SELECT * FROM all_rows UNION ALL BY NAME SELECT * FROM by_platform) AS r
JOIN periods AS p USING (period_start)
ORDER BY r.business_id, p.period_start, r.platform <> 'all', r.platform
