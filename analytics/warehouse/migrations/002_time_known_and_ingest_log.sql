-- Some exports carry a publication date without an hour (X 2024+, TikTok, LinkedIn): such posts
-- count for weekday analysis only, never for hour-of-day analysis.
ALTER TABLE content ADD COLUMN published_time_known BOOLEAN NOT NULL DEFAULT TRUE;

-- One row per file ingested: what was read, kept and rejected, for lineage and audits.
CREATE TABLE ingest_files (
    source_file  VARCHAR NOT NULL,
    format       VARCHAR NOT NULL,
    sha256       VARCHAR NOT NULL,
    ingested_at  TIMESTAMPTZ NOT NULL,
    rows_read    BIGINT NOT NULL,
    inserted     BIGINT NOT NULL,
    updated      BIGINT NOT NULL,
    unchanged    BIGINT NOT NULL,
    rejected     BIGINT NOT NULL,
    rejects_file VARCHAR
);
