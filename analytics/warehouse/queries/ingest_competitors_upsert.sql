-- Record the roles of the businesses rows kept (see ingest_competitors_check.sql): a row
-- declared client stops being a competitor; a competitor row names its client.
DELETE FROM competitors WHERE business_id IN (
    SELECT r.business_id FROM _roles AS r JOIN _checked AS k USING (_line)
    WHERE k.problem IS NULL AND r.role = 'client'
);
INSERT INTO competitors (business_id, competitor_of)
SELECT r.business_id, r.competitor_of FROM _roles AS r JOIN _checked AS k USING (_line)
WHERE k.problem IS NULL AND r.role = 'competitor'
ON CONFLICT (business_id) DO UPDATE SET competitor_of = excluded.competitor_of;
DROP TABLE _roles;
