-- One row per post of the requested businesses published, on a local day of the business's
-- timezone, within [$scope_start, $scope_end] and no later than $as_of; with its counters at
-- three moments:
--   cur_*   the latest observation on or before $as_of (what the report shows);
--   prev_*  the latest observation on or before $prev_as_of, so the previous period is seen at
--           the same age as the current one and growth compares like with like;
--           prev_observed_on is NULL when no observation that early exists (a first import,
--           a single export): the report then compares both periods as of $as_of instead;
--   aged_*  the observation nearest the post's $fixed_age-th day: the latest on or before it,
--           else the first after it (an export taken once a month observes posts late), so
--           insights compare posts at about the same age, not young posts against old ones.
-- Every metric query reads this table; none reads content_metrics directly.
WITH scope AS (
    SELECT business_id, timezone
    FROM businesses
    WHERE list_contains($business_ids, business_id)
),
posts AS (
    SELECT
        c.business_id,
        c.platform,
        c.content_id,
        c.content_type,
        c.title,
        c.permalink,
        c.published_at,
        c.published_time_known,
        s.timezone,
        timezone(s.timezone, c.published_at) AS published_local
    FROM content AS c
    JOIN scope AS s USING (business_id)
    -- every UTC offset is within a day, so this coarse window prunes before converting
    WHERE c.published_at >= CAST($scope_start AS TIMESTAMPTZ) - INTERVAL 1 DAY
      AND c.published_at < CAST($scope_end AS TIMESTAMPTZ) + INTERVAL 2 DAY
),
in_scope AS (
    SELECT *, CAST(published_local AS DATE) AS published_day
    FROM posts
    WHERE CAST(published_local AS DATE) BETWEEN $scope_start AND least($scope_end, $as_of)
),
observed AS (
    SELECT
        m.platform,
        m.content_id,
        arg_max(
            {'views': m.views, 'reach': m.reach, 'likes': m.likes, 'shares': m.shares,
             'comments': m.comments, 'clicks': m.clicks, 'on': m.observed_on},
            m.observed_on
        ) AS cur,
        arg_max(
            {'views': m.views, 'reach': m.reach, 'likes': m.likes, 'shares': m.shares,
             'comments': m.comments, 'clicks': m.clicks, 'on': m.observed_on},
            m.observed_on
        ) FILTER (WHERE m.observed_on <= $prev_as_of) AS prev,
        coalesce(
            arg_max(
                {'views': m.views, 'reach': m.reach, 'likes': m.likes, 'shares': m.shares,
                 'comments': m.comments, 'on': m.observed_on},
                m.observed_on
            ) FILTER (WHERE m.observed_on <= p.published_day + CAST($fixed_age AS INTEGER)),
            arg_min(
                {'views': m.views, 'reach': m.reach, 'likes': m.likes, 'shares': m.shares,
                 'comments': m.comments, 'on': m.observed_on},
                m.observed_on
            ) FILTER (WHERE m.observed_on > p.published_day + CAST($fixed_age AS INTEGER))
        ) AS aged
    FROM content_metrics AS m
    JOIN in_scope AS p USING (platform, content_id)
    WHERE m.observed_on <= $as_of
    GROUP BY m.platform, m.content_id
),
counters AS (
    SELECT
        p.*,
        o.cur.views AS views, o.cur.reach AS reach, o.cur.likes AS likes,
        o.cur.shares AS shares, o.cur.comments AS comments, o.cur.clicks AS clicks,
        o.cur.on AS observed_on,
        o.prev.views AS prev_views, o.prev.reach AS prev_reach, o.prev.likes AS prev_likes,
        o.prev.shares AS prev_shares, o.prev.comments AS prev_comments,
        o.prev.clicks AS prev_clicks, o.prev.on AS prev_observed_on,
        o.aged.views AS aged_views, o.aged.reach AS aged_reach, o.aged.likes AS aged_likes,
        o.aged.shares AS aged_shares, o.aged.comments AS aged_comments,
        o.aged.on - p.published_day AS aged_days
    FROM in_scope AS p
    LEFT JOIN observed AS o USING (platform, content_id)
),
-- Per business, the views that make a post big enough to rank by engagement rate (medians,
-- the middle two averaged, rounded up to whole views):
--   usual_views          its usual post: the median views of its posts of the insights
--                        lookback ($lookback_start..$end), each at $fixed_age days old (aged_*),
--                        so old posts that kept collecting views do not raise the bar;
--   period_median_views  the median views of the period's posts, as of $as_of.
floors AS (
    SELECT
        business_id,
        CAST(ceil(quantile_cont(aged_views, 0.5)
            FILTER (WHERE published_day BETWEEN $lookback_start AND $end)) AS BIGINT)
            AS usual_views,
        CAST(ceil(quantile_cont(views, 0.5)
            FILTER (WHERE published_day BETWEEN $start AND $end)) AS BIGINT)
            AS period_median_views
    FROM counters
    GROUP BY business_id
)
SELECT
    counters.* EXCLUDE (prev_likes, prev_shares, prev_comments, aged_likes, aged_shares,
                        aged_comments),
    -- engagement = likes + shares + comments; a counter the platform lacks counts as absent,
    -- and a post with none of the three has no engagement at all (NULL, not 0)
    CASE WHEN coalesce(likes, shares, comments) IS NOT NULL
         THEN coalesce(likes, 0) + coalesce(shares, 0) + coalesce(comments, 0) END AS engagement,
    CASE WHEN coalesce(prev_likes, prev_shares, prev_comments) IS NOT NULL
         THEN coalesce(prev_likes, 0) + coalesce(prev_shares, 0) + coalesce(prev_comments, 0)
    END AS prev_engagement,
    CASE WHEN coalesce(aged_likes, aged_shares, aged_comments) IS NOT NULL
         THEN coalesce(aged_likes, 0) + coalesce(aged_shares, 0) + coalesce(aged_comments, 0)
    END AS aged_engagement,
    -- the ranking floor before the fixed minimum (top_content.sql): the business's usual post
    -- (usual_views), but never above the period's own median post (period_median_views), so
    -- in a quiet week at least the bigger half of its posts is still ranked
    least(f.usual_views, f.period_median_views) AS median_views,
    f.usual_views,
    f.period_median_views
FROM counters
LEFT JOIN floors AS f USING (business_id)
