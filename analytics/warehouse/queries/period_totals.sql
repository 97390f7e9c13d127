-- Totals per business for the period ($start..$end, counters as of $as_of) and for the
-- previous equal-length period ($prev_start..$prev_end) twice: 'previous' with counters as of
-- $prev_as_of (the same age), 'previous_same_day' with counters as of $as_of (the fallback
-- when the previous period's posts were not observed that early: unobserved_posts).
-- Rates are ratios of sums over the posts that report both of their terms. A total no post
-- reports is NULL (missing), never 0; a business with no posts has no row at all.
WITH tagged AS (
    SELECT business_id, platform, 'current' AS which,
           views, reach, engagement, clicks,
           views IS NULL OR views < greatest(median_views, $min_views) OR engagement IS NULL
               AS unranked,
           greatest(median_views, $min_views) AS ranking_floor,
           usual_views, period_median_views,
           false AS unobserved
    FROM post_facts
    WHERE published_day BETWEEN $start AND $end
    UNION ALL
    SELECT business_id, platform, 'previous' AS which,
           prev_views, prev_reach, prev_engagement, prev_clicks,
           prev_views IS NULL OR prev_views < $min_views OR prev_engagement IS NULL,
           NULL, NULL, NULL,
           -- observed by $as_of, but not yet by $prev_as_of
           observed_on IS NOT NULL AND prev_observed_on IS NULL
    FROM post_facts
    WHERE published_day BETWEEN $prev_start AND $prev_end
    UNION ALL
    SELECT business_id, platform, 'previous_same_day' AS which,
           views, reach, engagement, clicks,
           views IS NULL OR views < $min_views OR engagement IS NULL,
           NULL, NULL, NULL,
           false
    FROM post_facts
    WHERE published_day BETWEEN $prev_start AND $prev_end
)
SELECT
    business_id,
    which,
    -- posts, views, reach, reach_posts, engagement, clicks, engagement_rate, ctr
    unnest(post_totals(views, reach, engagement, clicks)),
    -- posts the content ranking leaves out (below the ranking floor, or no counters)
    count(*) FILTER (WHERE unranked) AS unranked_posts,
    count(*) FILTER (WHERE unobserved) AS unobserved_posts,
    max(ranking_floor) AS ranking_floor,
    -- what the floor was made of (post_facts.sql: floors)
    max(usual_views) AS usual_views,
    max(period_median_views) AS period_median_views,
    -- the platforms the reach total comes from (a change of reach may be a change of mix)
    coalesce(list_sort(list(DISTINCT platform) FILTER (WHERE reach IS NOT NULL)), [])
        AS reach_platforms
FROM tagged
GROUP BY business_id, which
ORDER BY business_id, which
