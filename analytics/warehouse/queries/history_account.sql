-- Account-level views and reach per business, platform and period, from the platforms' daily
-- account files (account_metrics): the sum of the period's days up to $as_of, and how many
-- days reported it. Which metric counts as views or reach on each platform is
-- $views_metrics / $reach_metrics (the first name of the list a platform has wins).
WITH periods AS (
    SELECT unnest($period_starts) AS period_start, unnest($period_ends) AS period_end
),
chosen AS (
    -- per business and platform, the preferred metric name present for views and for reach
    SELECT business_id, platform,
           arg_min(metric, list_position($views_metrics, metric))
               FILTER (WHERE list_contains($views_metrics, metric)) AS views_metric,
           arg_min(metric, list_position($reach_metrics, metric))
               FILTER (WHERE list_contains($reach_metrics, metric)) AS reach_metric
    FROM (SELECT DISTINCT business_id, platform, metric FROM account_metrics
          WHERE list_contains($business_ids, business_id))
    GROUP BY ALL
)
SELECT
    a.business_id,
    p.period_start,
    p.period_end,
    a.platform,
    sum(a.value) FILTER (WHERE a.metric = c.views_metric) AS views,
    count(a.value) FILTER (WHERE a.metric = c.views_metric) AS views_days,
    sum(a.value) FILTER (WHERE a.metric = c.reach_metric) AS reach,
    count(a.value) FILTER (WHERE a.metric = c.reach_metric) AS reach_days
FROM account_metrics AS a
JOIN chosen AS c USING (business_id, platform)
JOIN periods AS p ON a.day BETWEEN p.period_start AND least(p.period_end, $as_of)
WHERE list_contains($business_ids, a.business_id)
  AND a.metric IN (c.views_metric, c.reach_metric)
GROUP BY ALL
HAVING views IS NOT NULL OR reach IS NOT NULL
ORDER BY a.business_id, p.period_start, a.platform
