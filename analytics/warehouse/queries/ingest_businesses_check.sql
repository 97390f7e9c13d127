-- Canonical business rows (text, from _stage) typed and checked; `problem` as for posts.
-- Names and recipients end up in email headers, so line breaks and malformed addresses are
-- refused here, at the door. A bad address is refused alone (`refused`, written to the rejects
-- by ingest_businesses_refused): one mistyped recipient must not lose the business and its
-- posts, so the row is kept with its good recipients (issue 11, item 13).
WITH raw AS (
    SELECT
        _line,
        nullif(trim(business_id), '') AS business_id,
        nullif(trim(name), '') AS name,
        coalesce(nullif(trim(timezone), ''), 'UTC') AS timezone,
        -- one entry per mailbox: addresses lower-cased, repeats dropped, in a stable order
        coalesce(
            list_sort(list_distinct(list_filter(
                list_transform(string_split(recipients, ';'), lambda x: lower(trim(x))),
                lambda x: x <> ''))),
            []
        ) AS addresses,
        -- how often the business gets a report (and its history runs); blank or absent: as
        -- it was (a file from before the column existed changes nothing), else weekly
        nullif(lower(trim(cadence)), '') AS cadence
    FROM _stage
),
checked AS (
    SELECT
        raw.* EXCLUDE (addresses),
        list_filter(addresses, lambda x: regexp_full_match(x, $email_pattern)) AS recipients,
        list_filter(addresses, lambda x: NOT regexp_full_match(x, $email_pattern)) AS refused,
        CASE
            WHEN business_id IS NULL THEN {'column': 'business_id', 'reason': 'is blank'}
            WHEN NOT regexp_full_match(business_id, '[a-z0-9][a-z0-9_-]*') OR length(business_id) > 100 THEN
                {'column': 'business_id', 'reason': '''' || business_id || ''' is not a business id (lower-case letters, digits, - and _)'}
            WHEN name IS NULL THEN {'column': 'name', 'reason': 'is blank'}
            -- every character that breaks a line, ASCII or Unicode (NEL, LS, PS)
            WHEN regexp_matches(name, '[\x00-\x1f\x7f\x{85}\x{2028}\x{2029}]') THEN
                {'column': 'name', 'reason': 'contains a line break or control character'}
            WHEN NOT list_contains($timezones, timezone) THEN
                {'column': 'timezone', 'reason': '''' || timezone || ''' is not an IANA timezone such as Europe/London'}
            WHEN cadence IS NOT NULL AND cadence NOT IN ('weekly', 'monthly') THEN
                {'column': 'cadence', 'reason': '''' || cadence || ''' is not a cadence (weekly or monthly)'}
        END AS problem
    FROM raw
),
deduplicated AS (
    SELECT
        checked.* EXCLUDE (problem),
        repeated_line(_line, max(_line) OVER (PARTITION BY business_id),
                      'business_id', 'business', '') AS problem
    FROM checked
    WHERE problem IS NULL
)
SELECT d.* REPLACE (coalesce(d.cadence, b.cadence, 'weekly') AS cadence),
       CASE WHEN b.business_id IS NULL THEN 'inserted'
            WHEN b.name = d.name AND b.timezone = d.timezone AND b.recipients = d.recipients
                 AND b.cadence IS NOT DISTINCT FROM coalesce(d.cadence, b.cadence, 'weekly')
            THEN 'unchanged'
            ELSE 'updated' END AS status
FROM deduplicated AS d
LEFT JOIN businesses AS b USING (business_id)
UNION ALL BY NAME
SELECT *, NULL AS status FROM checked WHERE problem IS NOT NULL
