-- Account-level daily figures from the platforms' daily exports (page views, profile views,
-- video views…): one value per business, platform, metric and day, as the export gives it for
-- that day (not cumulative). Followers keep their own table. NULL = the export left it blank.
CREATE TABLE account_metrics (
    business_id VARCHAR NOT NULL,
    platform    VARCHAR NOT NULL,
    metric      VARCHAR NOT NULL,
    day         DATE NOT NULL,
    value       BIGINT,
    source_file VARCHAR,
    ingested_at TIMESTAMPTZ,
    PRIMARY KEY (business_id, platform, metric, day)
);

-- Lineage for platform exports: the sheet of a workbook, the business the file was ingested
-- for, and the observation day its counters were recorded on (so that re-ingesting the same
-- file on a later day without --observed-on finds the same day and changes nothing).
ALTER TABLE ingest_files ADD COLUMN sheet VARCHAR;
ALTER TABLE ingest_files ADD COLUMN business_id VARCHAR;
ALTER TABLE ingest_files ADD COLUMN observed_on DATE;
