-- How often a business gets its report, and so which periods its history runs by:
-- 'weekly' (ISO weeks) unless the businesses file says 'monthly'.
ALTER TABLE businesses ADD COLUMN cadence VARCHAR DEFAULT 'weekly';

-- The seed's BusinessMetrics: one business's totals per period, per platform and for all
-- platforms together (platform = 'all'), as of a day; every report run upserts the periods it
-- computed, `analytics history` reads them (and recomputes what is missing or stale).
-- Counters follow report.json: NULL = no post reported it; followers NULL = no reading.
CREATE TABLE business_metrics (
    business_id     VARCHAR NOT NULL,
    period_kind     VARCHAR NOT NULL,   -- week | month | quarter | days
    period_start    DATE NOT NULL,
    period_end      DATE NOT NULL,
    label           VARCHAR NOT NULL,
    platform        VARCHAR NOT NULL,   -- a platform, or 'all'
    as_of           DATE NOT NULL,
    complete        BOOLEAN NOT NULL,
    posts           BIGINT NOT NULL,
    views           BIGINT,
    reach           BIGINT,
    reach_posts     BIGINT NOT NULL,
    engagement      BIGINT,
    clicks          BIGINT,
    engagement_rate DOUBLE,
    ctr             DOUBLE,
    followers_start BIGINT,
    followers_end   BIGINT,
    net_followers   BIGINT,
    computed_at     TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (business_id, period_start, period_end, platform)
);
