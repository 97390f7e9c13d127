-- The stored history rows of one business for the given periods (every platform and 'all').
WITH periods AS (
    SELECT unnest($period_starts) AS period_start, unnest($period_ends) AS period_end
)
SELECT m.*
FROM business_metrics AS m
JOIN periods AS p USING (period_start, period_end)
WHERE m.business_id = $business_id
ORDER BY m.period_start, m.platform = 'all' DESC, m.platform
