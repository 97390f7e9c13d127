-- Account-level daily rows (_daily_stage: one row per line and metric, already parsed) checked:
-- when a file holds the same day twice, the later line is kept and the earlier one rejected.
-- `stored` is the value the warehouse holds for that business, platform, metric and day.
WITH kept AS (
    SELECT day, max(_line) AS kept_line
    FROM _daily_stage
    GROUP BY day
),
stored AS (
    SELECT metric, day, value FROM account_metrics
    WHERE business_id = $business_id AND platform = $platform
    UNION ALL
    SELECT 'followers', day, followers FROM followers
    WHERE business_id = $business_id AND platform = $platform
)
SELECT
    s._line, s.day, s.metric, s.value,
    t.day IS NOT NULL AS known,
    t.value AS stored_value,
    repeated_line(s._line, k.kept_line, $day_column, 'day',
                  ' (' || CAST(s.day AS VARCHAR) || ')') AS problem
FROM _daily_stage AS s
JOIN kept AS k USING (day)
LEFT JOIN stored AS t USING (metric, day)
