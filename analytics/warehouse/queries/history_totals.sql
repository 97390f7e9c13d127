-- Totals per business, period and platform, and for all platforms (platform 'all'), for each
-- of the history's periods ($period_starts[i]..$period_ends[i], local days), with counters as
-- of the snapshot's as-of date: the same sums and rates as period_totals.sql, so a period's
-- 'all' row equals the overview of that period's own report. A period without posts has no
-- row (the caller fills it with zeros, as the overview does).
WITH periods AS (
    SELECT unnest($period_starts) AS period_start, unnest($period_ends) AS period_end
)
SELECT
    f.business_id,
    p.period_start,
    p.period_end,
    CASE WHEN grouping(f.platform) = 1 THEN 'all' ELSE f.platform END AS platform,
    count(*) AS posts,
    sum(f.views) AS views,
    sum(f.reach) AS reach,
    count(f.reach) AS reach_posts,
    sum(f.engagement) AS engagement,
    sum(f.clicks) AS clicks,
    rate_of_sums(f.engagement, f.views) AS engagement_rate,
    rate_of_sums(f.clicks, f.views) AS ctr
FROM post_facts AS f
JOIN periods AS p ON f.published_day BETWEEN p.period_start AND p.period_end
GROUP BY GROUPING SETS ((f.business_id, p.period_start, p.period_end, f.platform),
                        (f.business_id, p.period_start, p.period_end))
ORDER BY f.business_id, p.period_start, platform
