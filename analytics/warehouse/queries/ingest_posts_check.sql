-- Canonical post rows (text, from _stage) typed and checked. `problem` is the first thing wrong
-- with a row ({column, reason}), or NULL when the row is kept. A counter named in
-- $optional_counters may be blank (missing, NULL: platform exports lack some counters); the
-- others must be given. Besides each value on its own, a row is refused when its post belongs
-- to another business (tenant isolation), when the file gives the same post to two businesses
-- (every row of that post: which is right cannot be known), or when a later line of the file
-- holds the same observation (the later line is kept).
WITH raw AS (
    SELECT
        _line,
        cleaned(business_id) AS business_id,
        lower(cleaned(platform)) AS platform,
        cleaned(content_id) AS content_id,
        regexp_replace(lower(cleaned(content_type)), '[^a-z0-9]+', '_', 'g')
            AS content_type_raw,
        cleaned(published_at) AS published_at,
        cleaned(title) AS title,
        cleaned(permalink) AS permalink,
        cleaned(observed_on) AS observed_on,
        count_cell(cleaned(views)) AS views,
        count_cell(cleaned(reach)) AS reach,
        count_cell(cleaned(likes)) AS likes,
        count_cell(cleaned(shares)) AS shares,
        count_cell(cleaned(comments)) AS comments,
        count_cell(cleaned(clicks)) AS clicks
    FROM _stage
),
typed AS (
    SELECT
        raw.*,
        b.business_id IS NOT NULL AS business_known,
        -- other tools' names for our content types
        CASE content_type_raw
            WHEN 'photo' THEN 'image' WHEN 'photos' THEN 'image' WHEN 'picture' THEN 'image'
            WHEN 'status' THEN 'text' WHEN 'post' THEN 'text' WHEN 'tweet' THEN 'text'
            WHEN 'videos' THEN 'video' WHEN 'reels' THEN 'reel' WHEN 'shorts' THEN 'short'
            WHEN 'album' THEN 'carousel' WHEN 'carousel_album' THEN 'carousel'
            ELSE content_type_raw
        END AS content_type,
        is_iso_date(published_at) AS date_only,
        -- a date without a time is a local day of the business; with a time and no offset, UTC
        CASE WHEN is_iso_date(published_at)
             THEN timezone(coalesce(b.timezone, 'UTC'), CAST(CAST(published_at AS DATE) AS TIMESTAMP))
             -- a UTC offset beyond ±14:00 exists nowhere: such a time is a typing mistake
             WHEN regexp_matches(published_at, '[+-](1[5-9]|[2-9][0-9]):?[0-9]{2}$') THEN NULL
             ELSE try_cast(published_at AS TIMESTAMPTZ)
        END AS published_ts,
        CASE WHEN observed_on IS NULL THEN CAST($default_observed_on AS DATE)
             WHEN is_iso_date(observed_on) THEN CAST(observed_on AS DATE)
        END AS observed_date,
        coalesce(b.timezone, 'UTC') AS business_timezone,
        parse_count(views) AS views_n,
        parse_count(reach) AS reach_n,
        parse_count(likes) AS likes_n,
        parse_count(shares) AS shares_n,
        parse_count(comments) AS comments_n,
        parse_count(clicks) AS clicks_n
    FROM raw
    LEFT JOIN businesses AS b USING (business_id)
),
checked AS MATERIALIZED (
    SELECT
        typed.*,
        CASE
            WHEN business_id IS NULL THEN {'column': 'business_id', 'reason': 'is blank'}
            WHEN NOT regexp_full_match(business_id, '[a-z0-9][a-z0-9_-]*') THEN
                {'column': 'business_id', 'reason': '''' || business_id || ''' is not a business id (lower-case letters, digits, - and _)'}
            WHEN NOT business_known THEN
                {'column': 'business_id', 'reason': 'unknown business ''' || business_id || '''; ingest a businesses file that defines it first'}
            WHEN platform IS NULL THEN {'column': 'platform', 'reason': 'is blank'}
            WHEN NOT list_contains($platforms, platform) THEN
                {'column': 'platform', 'reason': 'unknown platform ''' || platform || ''' (expected one of ' || array_to_string($platforms, ', ') || ')'}
            WHEN content_id IS NULL THEN {'column': 'content_id', 'reason': 'is blank'}
            WHEN content_type IS NULL THEN {'column': 'content_type', 'reason': 'is blank'}
            WHEN published_at IS NULL THEN {'column': 'published_at', 'reason': 'is blank'}
            WHEN published_ts IS NULL THEN
                {'column': 'published_at', 'reason': '''' || published_at || ''' is not an ISO 8601 date-time such as 2026-11-20T18:30:00+01:00'}
            WHEN years_problem(published_ts, published_at, 'published_at', $min_year, $max_year)
                IS NOT NULL THEN
                years_problem(published_ts, published_at, 'published_at', $min_year, $max_year)
            WHEN observed_date IS NULL THEN
                {'column': 'observed_on', 'reason': '''' || observed_on || ''' is not a date such as 2026-11-22'}
            WHEN year(observed_date) > $max_year THEN
                {'column': 'observed_on', 'reason': '''' || observed_on || ''' is after the year '
                    || $max_year}
            WHEN observed_date < CAST(timezone(business_timezone, published_ts) AS DATE) - 1 THEN
                {'column': 'observed_on', 'reason': 'is ' || CAST(observed_date AS VARCHAR) || ', before the post was published (' || published_at || ')'}
            WHEN views IS NULL AND NOT list_contains($optional_counters, 'views') THEN
                {'column': 'views', 'reason': 'is blank'}
            WHEN views IS NOT NULL AND views_n IS NULL THEN {'column': 'views', 'reason': count_problem(views)}
            WHEN likes IS NULL AND NOT list_contains($optional_counters, 'likes') THEN
                {'column': 'likes', 'reason': 'is blank'}
            WHEN likes IS NOT NULL AND likes_n IS NULL THEN {'column': 'likes', 'reason': count_problem(likes)}
            WHEN shares IS NULL AND NOT list_contains($optional_counters, 'shares') THEN
                {'column': 'shares', 'reason': 'is blank'}
            WHEN shares IS NOT NULL AND shares_n IS NULL THEN {'column': 'shares', 'reason': count_problem(shares)}
            WHEN comments IS NULL AND NOT list_contains($optional_counters, 'comments') THEN
                {'column': 'comments', 'reason': 'is blank'}
            WHEN comments IS NOT NULL AND comments_n IS NULL THEN {'column': 'comments', 'reason': count_problem(comments)}
            WHEN clicks IS NULL AND NOT list_contains($optional_counters, 'clicks') THEN
                {'column': 'clicks', 'reason': 'is blank'}
            WHEN clicks IS NOT NULL AND clicks_n IS NULL THEN {'column': 'clicks', 'reason': count_problem(clicks)}
            WHEN reach IS NOT NULL AND reach_n IS NULL THEN
                {'column': 'reach', 'reason': count_problem(reach)}
        END AS problem
    FROM typed
),
-- The questions across rows are answered on narrow aggregates, and only the rare rows they
-- concern are joined back: a large file is grouped and probed, never sorted or joined wide.
valid AS (SELECT * EXCLUDE (problem) FROM checked WHERE problem IS NULL),
observations AS (
    -- the same observation on several lines: the last one is kept
    SELECT platform, content_id, observed_date, max(_line) AS kept_line
    FROM valid
    GROUP BY platform, content_id, observed_date
    HAVING count(*) > 1
),
posts AS (
    -- the row whose attributes the post keeps: its latest observation, last in the file
    SELECT platform, content_id, min(business_id) AS first_business,
           max(business_id) AS last_business,
           max({'observed': observed_date, 'line': _line}).line AS post_line
    FROM valid
    GROUP BY platform, content_id
),
disputed AS (
    -- posts the file gives to two businesses, or to another business than the warehouse does
    SELECT p.platform, p.content_id, p.first_business, p.last_business, c.business_id AS owner
    FROM posts AS p
    LEFT JOIN content AS c USING (platform, content_id)
    WHERE p.first_business <> p.last_business
       OR (c.business_id IS NOT NULL AND c.business_id <> p.first_business)
),
owned AS (
    SELECT
        valid.*,
        CASE
            WHEN d.owner IS NOT NULL AND d.owner <> valid.business_id THEN
                {'column': 'business_id', 'reason': 'post ' || valid.platform || '/' || valid.content_id || ' belongs to business ''' || d.owner || ''', not ''' || valid.business_id || ''''}
            WHEN d.first_business <> d.last_business THEN
                {'column': 'business_id', 'reason': 'post ' || valid.platform || '/' || valid.content_id || ' is given to more than one business in this file (''' || d.first_business || ''' and ''' || d.last_business || '''); correct the file and ingest it again'}
            ELSE repeated_line(valid._line, o.kept_line, 'content_id', 'observation',
                               ' (same platform, content_id and observed_on)')
        END AS problem,
        valid._line IN (SELECT post_line FROM posts) AS post_winner
    FROM valid
    LEFT JOIN disputed AS d USING (platform, content_id)
    LEFT JOIN observations AS o USING (platform, content_id, observed_date)
)
-- the raw text of the counters and dates was only needed for the reasons, given above
SELECT * EXCLUDE (published_at, observed_on, views, reach, likes, shares, comments, clicks,
                  content_type_raw, business_known, business_timezone)
FROM owned
UNION ALL BY NAME
SELECT * EXCLUDE (published_at, observed_on, views, reach, likes, shares, comments, clicks,
                  content_type_raw, business_known, business_timezone), false AS post_winner
FROM checked WHERE problem IS NOT NULL
