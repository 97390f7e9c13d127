-- Canonical comment rows (text, from _stage) typed and checked; `problem` as for posts. A
-- comment must be on a post the warehouse holds, of the business the row names. A comment
-- repeated in the file keeps its later line.
WITH raw AS (
    SELECT
        _line,
        cleaned(business_id) AS business_id,
        lower(cleaned(platform)) AS platform,
        cleaned(content_id) AS content_id,
        cleaned(comment_id) AS comment_id,
        cleaned(created_at) AS created_raw,
        CASE WHEN is_iso_date(cleaned(created_at)) THEN NULL
             ELSE try_cast(cleaned(created_at) AS TIMESTAMPTZ) END AS created_at,
        cleaned(author) AS author,
        text
    FROM _stage
),
checked AS (
    SELECT
        raw.*,
        CASE
            WHEN raw.business_id IS NULL THEN {'column': 'business_id', 'reason': 'is blank'}
            WHEN raw.platform IS NULL THEN {'column': 'platform', 'reason': 'is blank'}
            WHEN raw.content_id IS NULL THEN {'column': 'content_id', 'reason': 'is blank'}
            WHEN comment_id IS NULL THEN {'column': 'comment_id', 'reason': 'is blank'}
            WHEN created_raw IS NULL THEN {'column': 'created_at', 'reason': 'is blank'}
            WHEN created_at IS NULL THEN
                {'column': 'created_at', 'reason': '''' || created_raw || ''' is not an ISO 8601 time such as 2026-11-20T18:30:00Z'}
            WHEN years_problem(created_at, created_raw, 'created_at', $min_year, $max_year)
                IS NOT NULL THEN
                years_problem(created_at, created_raw, 'created_at', $min_year, $max_year)
            ELSE post_problem(raw.business_id, raw.platform, raw.content_id, c.business_id)
        END AS problem
    FROM raw
    LEFT JOIN content AS c ON c.platform = raw.platform AND c.content_id = raw.content_id
),
deduplicated AS (
    SELECT
        checked.* EXCLUDE (problem),
        repeated_line(_line, max(_line) OVER (PARTITION BY platform, comment_id),
                      'comment_id', 'comment', '') AS problem
    FROM checked
    WHERE problem IS NULL
)
SELECT d.*,
       CASE WHEN k.comment_id IS NULL THEN 'inserted'
            WHEN k.content_id = d.content_id AND k.created_at = d.created_at
                 AND k.author IS NOT DISTINCT FROM d.author AND k.text IS NOT DISTINCT FROM d.text
            THEN 'unchanged'
            ELSE 'updated' END AS status
FROM deduplicated AS d
LEFT JOIN comments AS k USING (platform, comment_id)
UNION ALL BY NAME
SELECT *, NULL AS status FROM checked WHERE problem IS NOT NULL
