-- Canonical experiment rows (text, from _stage) typed and checked; `problem` as for posts. A
-- row names a post the warehouse holds, of the business the row names; a post listed twice
-- for one experiment keeps its later line.
WITH raw AS (
    SELECT
        _line,
        cleaned(business_id) AS business_id,
        lower(cleaned(experiment)) AS experiment,
        lower(cleaned(platform)) AS platform,
        cleaned(content_id) AS content_id,
        lower(cleaned(variant)) AS variant
    FROM _stage
),
checked AS (
    SELECT
        raw.*,
        CASE
            WHEN raw.business_id IS NULL THEN {'column': 'business_id', 'reason': 'is blank'}
            WHEN experiment IS NULL THEN {'column': 'experiment', 'reason': 'is blank'}
            WHEN raw.platform IS NULL THEN {'column': 'platform', 'reason': 'is blank'}
            WHEN raw.content_id IS NULL THEN {'column': 'content_id', 'reason': 'is blank'}
            WHEN variant IS NULL THEN {'column': 'variant', 'reason': 'is blank'}
            ELSE post_problem(raw.business_id, raw.platform, raw.content_id, c.business_id)
        END AS problem
    FROM raw
    LEFT JOIN content AS c ON c.platform = raw.platform AND c.content_id = raw.content_id
),
deduplicated AS (
    SELECT
        checked.* EXCLUDE (problem),
        repeated_line(_line, max(_line) OVER (PARTITION BY platform, content_id, experiment),
                      'content_id', 'post', ' in this experiment') AS problem
    FROM checked
    WHERE problem IS NULL
)
SELECT d.*,
       CASE WHEN e.variant IS NULL THEN 'inserted'
            WHEN e.variant = d.variant THEN 'unchanged'
            ELSE 'updated' END AS status
FROM deduplicated AS d
LEFT JOIN experiment_posts AS e USING (platform, content_id, experiment)
UNION ALL BY NAME
SELECT *, NULL AS status FROM checked WHERE problem IS NOT NULL
