-- For each kept line of a daily file: 'inserted' (the warehouse held none of its values),
-- 'unchanged' (it held every one of them, equal) or 'updated'.
SELECT
    _line,
    CASE WHEN NOT bool_or(known) THEN 'inserted'
         WHEN bool_and(known AND value IS NOT DISTINCT FROM stored_value) THEN 'unchanged'
         ELSE 'updated'
    END AS status
FROM _checked
WHERE problem IS NULL
GROUP BY _line
