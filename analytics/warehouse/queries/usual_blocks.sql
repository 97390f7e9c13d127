-- Per business, the report's period and each equal-length block before it in the insights
-- lookback ($lookback_start..$end): block 0 is the period ($start..$end), block k the k-th
-- period before it. Each post is counted at $fixed_age days old (aged_*), so old blocks and
-- young ones compare fairly. The usual period-to-period change of each card (posts, reach,
-- engagement, engagement rate) is read from consecutive blocks (snapshot.usual_changes).
-- Engagement and the rate count the posts the insights learn from (views and engagement
-- known at that age), as insight_posts.sql does; posts counts every post; reach the posts
-- that report it.
SELECT
    business_id,
    CAST((CAST($end AS DATE) - published_day)
         // (CAST($end AS DATE) - CAST($start AS DATE) + 1) AS INTEGER) AS block,
    count(*) AS posts,
    sum(aged_reach) AS reach,
    sum(aged_engagement) FILTER (WHERE aged_views > 0) AS engagement,
    percent_of(sum(aged_engagement) FILTER (WHERE aged_views > 0),
               sum(aged_views) FILTER (WHERE aged_views > 0 AND aged_engagement IS NOT NULL))
        AS engagement_rate
FROM post_facts
WHERE published_day BETWEEN $lookback_start AND $end
GROUP BY business_id, block
ORDER BY business_id, block
