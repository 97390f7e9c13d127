-- The rates every metric query shares, defined once (loaded on a connection before a snapshot).
-- A percentage that is undefined (NULL) when the whole is 0, never a division error or 0.
CREATE OR REPLACE TEMP MACRO percent_of(part, whole) AS part * 100.0 / nullif(whole, 0);
-- A rate over a group of posts is a ratio of sums, over the posts that report both counters:
-- a post without views (or without the numerator's counter) is left out of both sums.
CREATE OR REPLACE TEMP MACRO rate_of_sums(num, den) AS
    percent_of(sum(num) FILTER (WHERE den IS NOT NULL), sum(den) FILTER (WHERE num IS NOT NULL));
-- The totals of a group of posts, one home for the period's overview (period_totals.sql) and
-- its history (history_periods.sql), so a stored period equals its own report: a struct, to
-- be unnested into the columns posts, views, reach, reach_posts (the posts that report reach),
-- engagement, clicks, engagement_rate and ctr. A sum no post reports is NULL, never 0.
CREATE OR REPLACE TEMP MACRO post_totals(views, reach, engagement, clicks) AS {
    'posts': count(*),
    'views': sum(views),
    'reach': sum(reach),
    'reach_posts': count(reach),
    'engagement': sum(engagement),
    'clicks': sum(clicks),
    'engagement_rate': rate_of_sums(engagement, views),
    'ctr': rate_of_sums(clicks, views)
};
