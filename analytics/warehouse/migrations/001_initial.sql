-- The canonical data model of DESIGN.md.
CREATE TABLE businesses (
    business_id VARCHAR PRIMARY KEY,
    name        VARCHAR NOT NULL,
    timezone    VARCHAR NOT NULL DEFAULT 'UTC',
    recipients  VARCHAR[] NOT NULL DEFAULT []
);

CREATE TABLE content (
    platform     VARCHAR NOT NULL,
    content_id   VARCHAR NOT NULL,
    business_id  VARCHAR NOT NULL,
    content_type VARCHAR NOT NULL,
    published_at TIMESTAMPTZ NOT NULL,
    title        VARCHAR,
    permalink    VARCHAR,
    PRIMARY KEY (platform, content_id)
);

-- Counters are lifetime (cumulative) values as of observed_on; NULL means the source lacks it.
CREATE TABLE content_metrics (
    platform    VARCHAR NOT NULL,
    content_id  VARCHAR NOT NULL,
    observed_on DATE NOT NULL,
    views       BIGINT,
    reach       BIGINT,
    likes       BIGINT,
    shares      BIGINT,
    comments    BIGINT,
    clicks      BIGINT,
    source_file VARCHAR,
    ingested_at TIMESTAMPTZ,
    PRIMARY KEY (platform, content_id, observed_on)
);

CREATE TABLE followers (
    business_id VARCHAR NOT NULL,
    platform    VARCHAR NOT NULL,
    day         DATE NOT NULL,
    followers   BIGINT,
    source_file VARCHAR,
    ingested_at TIMESTAMPTZ,
    PRIMARY KEY (business_id, platform, day)
);
