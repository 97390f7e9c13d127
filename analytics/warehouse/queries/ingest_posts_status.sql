-- For each kept row of _checked: 'inserted' (a new observation), 'unchanged' (the warehouse
-- already holds exactly this), or 'updated'.
SELECT
    k._line,
    CASE
        WHEN m.content_id IS NULL THEN 'inserted'
        WHEN k.views_n IS NOT DISTINCT FROM m.views
             AND k.reach_n IS NOT DISTINCT FROM m.reach
             AND k.likes_n IS NOT DISTINCT FROM m.likes
             AND k.shares_n IS NOT DISTINCT FROM m.shares
             AND k.comments_n IS NOT DISTINCT FROM m.comments
             AND k.clicks_n IS NOT DISTINCT FROM m.clicks
             AND NOT (
                 k.post_winner AND (
                     c.content_type IS DISTINCT FROM k.content_type
                     OR c.published_at IS DISTINCT FROM k.published_ts
                     OR c.title IS DISTINCT FROM k.title
                     OR c.permalink IS DISTINCT FROM k.permalink
                     OR c.published_time_known IS DISTINCT FROM (NOT k.date_only)
                 )
             )
        THEN 'unchanged'
        ELSE 'updated'
    END AS status
FROM _checked AS k
LEFT JOIN content_metrics AS m
    ON m.platform = k.platform AND m.content_id = k.content_id AND m.observed_on = k.observed_date
LEFT JOIN content AS c
    ON c.platform = k.platform AND c.content_id = k.content_id
WHERE k.problem IS NULL
