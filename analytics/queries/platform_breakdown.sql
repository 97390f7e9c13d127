-- Per business and platform, the period's posts and counters (as of $as_of).
-- share_of_engagement is the platform's part of the business's engagement, in percent.
SELECT
    business_id,
    platform,
    count(*) AS posts,
    coalesce(sum(views), 0) AS views,
    sum(reach) AS reach,
    count(reach) AS reach_posts,
    coalesce(sum(likes), 0) AS likes,
    coalesce(sum(shares), 0) AS shares,
    coalesce(sum(comments), 0) AS comments,
    coalesce(sum(clicks), 0) AS clicks,
    coalesce(sum(engagement), 0) AS engagement,
    sum(engagement) FILTER (WHERE views IS NOT NULL) * 100.0
        / nullif(sum(views) FILTER (WHERE engagement IS NOT NULL), 0) AS engagement_rate,
    sum(clicks) FILTER (WHERE views IS NOT NULL) * 100.0
        / nullif(sum(views) FILTER (WHERE clicks IS NOT NULL), 0) AS ctr,
    coalesce(sum(engagement), 0) * 100.0
        / nullif(sum(coalesce(sum(engagement), 0)) OVER (PARTITION BY business_id), 0)
        AS share_of_engagement
FROM post_facts
WHERE published_day BETWEEN $start AND $end
GROUP BY business_id, platform
-- the top platform comes first: most engagement, then most views, then by name
ORDER BY business_id, engagement DESC, views DESC, platform
