-- The period's posts ranked by engagement rate, per business: at most $limit ranked posts
-- each, or, with $every_post, every post of the period (the unranked ones with rank NULL,
-- after the ranked ones, most views first) for the HTML's full post table.
-- Only posts with at least the business's ranking floor of views are ranked (post_facts: the
-- larger of $min_views and the smaller of the business's usual post and the period's median
-- post), so a small post with a few likes does
-- not beat one seen by many times more people.
-- Ties are broken by engagement, then views, then the earlier post, then platform and id,
-- so the ranking is total and a re-run gives the same order.
WITH posts AS (
    SELECT
        *,
        views >= greatest(median_views, $min_views) AND engagement IS NOT NULL AS eligible
    FROM post_facts
    WHERE published_day BETWEEN $start AND $end
),
ranked AS (
    SELECT
        business_id, platform, content_id, title, content_type, permalink,
        published_at, timezone, published_time_known,
        views, reach, likes, shares, comments, clicks, engagement,
        percent_of(engagement, views) AS engagement_rate,
        percent_of(clicks, views) AS ctr,
        CASE WHEN eligible THEN row_number() OVER (
            PARTITION BY business_id, eligible
            ORDER BY percent_of(engagement, views) DESC NULLS LAST,
                     engagement DESC NULLS LAST, views DESC NULLS LAST,
                     published_at, platform, content_id
        ) END AS rank
    FROM posts
)
SELECT *
FROM ranked
WHERE rank <= $limit OR $every_post
ORDER BY business_id, rank NULLS LAST, views DESC NULLS LAST, published_at, platform, content_id
