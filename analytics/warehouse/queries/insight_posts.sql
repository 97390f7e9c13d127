-- The posts insights learn from: every post published in [$lookback_start, $end] with views,
-- its engagement rate at a fixed age, and its local weekday (1 = Monday) and hour (NaN when
-- the export gave no time); content_id and title for hashtags and caption features. Read as columns (fetchnumpy), so days are ordinals and no NULLs.
SELECT
    business_id,
    platform,
    content_type,
    CAST(published_day - DATE '0001-01-01' + 1 AS INTEGER) AS day,
    isodow(published_local) AS weekday,
    CASE WHEN published_time_known THEN CAST(hour(published_local) AS DOUBLE)
         ELSE CAST('NaN' AS DOUBLE) END AS hour,
    CAST(aged_engagement AS DOUBLE) AS engagement,
    CAST(aged_views AS DOUBLE) AS views,
    content_id,
    -- the caption, for caption features ('' when the post has none)
    coalesce(title, '') AS title,
    percent_of(aged_engagement, aged_views) AS engagement_rate
FROM post_facts
WHERE published_day BETWEEN $lookback_start AND $end
  AND aged_views > 0
  AND aged_engagement IS NOT NULL
ORDER BY business_id, platform, published_at, content_id
