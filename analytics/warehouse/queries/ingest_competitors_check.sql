-- Competitor benchmarking (issue 14): the optional role and competitor_of columns of the
-- businesses rows in _checked that passed the other checks. A blank role keeps what the
-- warehouse knows (a new business is a client). A competitor must name a known client
-- (in the warehouse, or a client row of this file) and has no recipients: it is never
-- emailed. A row that fails gets its problem in _checked; a changed role makes it 'updated'.
CREATE OR REPLACE TEMP TABLE _roles AS
SELECT
    k._line,
    k.business_id,
    k.recipients,
    nullif(lower(trim(s.role)), '') AS role,
    nullif(trim(s.competitor_of), '') AS competitor_of
FROM _checked AS k
JOIN _stage AS s USING (_line)
WHERE k.problem IS NULL;

UPDATE _checked SET problem = p.problem, status = NULL
FROM (
    WITH clients AS (
        SELECT business_id FROM businesses
        WHERE business_id NOT IN (SELECT business_id FROM competitors)
          AND business_id NOT IN (SELECT business_id FROM _roles WHERE role = 'competitor')
        UNION
        SELECT business_id FROM _roles WHERE role IS DISTINCT FROM 'competitor'
    )
    SELECT _line, CASE
        WHEN role NOT IN ('client', 'competitor') THEN
            {'column': 'role', 'reason': '''' || role || ''' is not client or competitor'}
        WHEN role = 'competitor' AND competitor_of IS NULL THEN
            {'column': 'competitor_of', 'reason': 'is blank: name the client this competitor is compared with'}
        WHEN competitor_of IS NOT NULL AND role IS DISTINCT FROM 'competitor' THEN
            {'column': 'competitor_of', 'reason': 'is only for rows whose role is competitor'}
        WHEN competitor_of = business_id THEN
            {'column': 'competitor_of', 'reason': 'names the business itself'}
        WHEN role = 'competitor' AND competitor_of NOT IN (SELECT business_id FROM clients) THEN
            {'column': 'competitor_of', 'reason': '''' || competitor_of || ''' is not a known client: ingest its businesses row first (or in the same file)'}
        WHEN role = 'competitor' AND len(recipients) > 0 THEN
            {'column': 'recipients', 'reason': 'a competitor is never emailed: leave recipients blank'}
    END AS problem
    FROM _roles
) AS p
WHERE _checked._line = p._line AND p.problem IS NOT NULL;

UPDATE _checked SET status = 'updated'
WHERE status = 'unchanged' AND _line IN (
    SELECT r._line FROM _roles AS r LEFT JOIN competitors AS c USING (business_id)
    WHERE (r.role = 'competitor' AND c.competitor_of IS DISTINCT FROM r.competitor_of)
       OR (r.role = 'client' AND c.business_id IS NOT NULL)
);
