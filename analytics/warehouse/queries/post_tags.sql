-- The hashtags and A/B tags of the posts insights learn from (published in
-- [$lookback_start, $end], with views at the fixed age): one row per post and tag.
SELECT p.business_id, p.platform, p.content_id, t.kind, t.tag
FROM post_facts AS p
JOIN content_tags AS t USING (platform, content_id)
WHERE p.published_day BETWEEN $lookback_start AND $end
  AND p.aged_views > 0
  AND p.aged_engagement IS NOT NULL
  AND t.kind IN ('hashtag', 'ab')
ORDER BY p.business_id, t.kind, t.tag, p.platform, p.content_id
