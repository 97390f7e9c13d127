-- The period's posts ranked by engagement rate, per business, at most $limit each.
-- Only posts with at least the business's ranking floor of views are ranked (post_facts: the
-- larger of $min_views and the period's median post), so a small post with a few likes does
-- not beat one seen by many times more people.
-- Ties are broken by engagement, then views, then the earlier post, then platform and id,
-- so the ranking is total and a re-run gives the same order.
WITH ranked AS (
    SELECT
        business_id, platform, content_id, title, content_type, permalink,
        published_at, timezone, published_time_known,
        views, reach, likes, shares, comments, clicks, engagement,
        percent_of(engagement, views) AS engagement_rate,
        percent_of(clicks, views) AS ctr,
        row_number() OVER (
            PARTITION BY business_id
            ORDER BY percent_of(engagement, views) DESC NULLS LAST,
                     engagement DESC NULLS LAST, views DESC NULLS LAST,
                     published_at, platform, content_id
        ) AS rank
    FROM post_facts
    WHERE published_day BETWEEN $start AND $end
      AND views >= greatest(median_views, $min_views)
      AND engagement IS NOT NULL
)
SELECT *
FROM ranked
WHERE rank <= $limit
ORDER BY business_id, rank
