-- Per business and platform, the period's posts and counters (as of $as_of).
-- share_of_engagement is the platform's part of the business's engagement, in percent.
-- A counter no post of the platform reports (YouTube exports without likes, say) is NULL:
-- missing, never 0.
SELECT
    business_id,
    platform,
    count(*) AS posts,
    sum(views) AS views,
    sum(reach) AS reach,
    count(reach) AS reach_posts,
    sum(likes) AS likes,
    sum(shares) AS shares,
    sum(comments) AS comments,
    sum(clicks) AS clicks,
    sum(engagement) AS engagement,
    rate_of_sums(engagement, views) AS engagement_rate,
    rate_of_sums(clicks, views) AS ctr,
    percent_of(sum(engagement), sum(sum(engagement)) OVER (PARTITION BY business_id))
        AS share_of_engagement
FROM post_facts
WHERE published_day BETWEEN $start AND $end
GROUP BY business_id, platform
-- the top platform comes first: most engagement, then most views, then by name
ORDER BY business_id, engagement DESC NULLS LAST, views DESC NULLS LAST, platform
