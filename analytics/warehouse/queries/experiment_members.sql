-- The posts of A/B experiments declared in experiments files, among the posts insights learn
-- from (published in [$lookback_start, $end], with views at the fixed age).
SELECT p.business_id, e.experiment, e.variant, p.platform, p.content_id
FROM post_facts AS p
JOIN experiment_posts AS e USING (platform, content_id)
WHERE p.published_day BETWEEN $lookback_start AND $end
  AND p.aged_views > 0
  AND p.aged_engagement IS NOT NULL
ORDER BY p.business_id, e.experiment, p.platform, p.content_id
