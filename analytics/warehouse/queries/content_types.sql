-- Per business and content type, the period's posts and engagement rate (ratio of sums),
-- best rate first.
SELECT
    business_id,
    content_type,
    count(*) AS posts,
    list(DISTINCT platform ORDER BY platform) AS platforms,
    sum(views) AS views,
    sum(engagement) AS engagement,
    rate_of_sums(engagement, views) AS engagement_rate
FROM post_facts
WHERE published_day BETWEEN $start AND $end
GROUP BY business_id, content_type
ORDER BY business_id, engagement_rate DESC NULLS LAST, posts DESC, content_type
