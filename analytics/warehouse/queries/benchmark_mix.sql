-- Competitor benchmarking: per business, platform and format, the posts published in the
-- benchmark window [$trend_start, $trend_end] with their counters as of the as-of day, and
-- each post's views for the median (the same window for a client and its competitors).
SELECT
    business_id,
    platform,
    content_type,
    count(*) AS posts,
    sum(views) AS views,
    sum(engagement) AS engagement,
    sum(engagement) FILTER (WHERE views IS NOT NULL) AS rated_engagement,
    sum(views) FILTER (WHERE engagement IS NOT NULL) AS rated_views,
    list(views) FILTER (WHERE views IS NOT NULL) AS post_views
FROM post_facts
WHERE published_day BETWEEN $trend_start AND $trend_end
GROUP BY ALL
ORDER BY business_id, platform, content_type
