-- Per business and platform, the period's posts and counters (as of $as_of), for every platform
-- the business posted on in the insights lookback ($lookback_start..$end): a platform without
-- posts this period still has its row (posts 0, counters NULL), so a client sees it was quiet.
-- share_of_engagement is the platform's part of the business's engagement, in percent.
-- usual_posts_per_week: its posts per week from its first post in the lookback to the day
-- before the period (NULL when it first posted in the period).
-- A counter no post of the platform reports (YouTube exports without likes, say) is NULL:
-- missing, never 0.
WITH used AS (
    SELECT
        business_id,
        platform,
        count(*) FILTER (WHERE published_day < $start) AS earlier_posts,
        min(published_day) AS first_day
    FROM post_facts
    WHERE published_day BETWEEN $lookback_start AND $end
    GROUP BY business_id, platform
),
period AS (
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
)
SELECT
    used.business_id,
    used.platform,
    coalesce(period.posts, 0) AS posts,
    period.views, period.reach,
    coalesce(period.reach_posts, 0) AS reach_posts,
    period.likes, period.shares, period.comments, period.clicks, period.engagement,
    period.engagement_rate, period.ctr, period.share_of_engagement,
    CASE WHEN used.first_day < $start
         THEN used.earlier_posts * 7.0 / datediff('day', used.first_day, CAST($start AS DATE))
    END AS usual_posts_per_week
FROM used
LEFT JOIN period USING (business_id, platform)
-- the top platform comes first: most engagement, then most views, then by name; platforms
-- without posts this period last
ORDER BY used.business_id, coalesce(period.posts, 0) = 0, period.engagement DESC NULLS LAST,
         period.views DESC NULLS LAST, used.platform
