-- Content intelligence (issue 14): what a post's title or caption declares, extracted at
-- ingest by analytics/ingest/hashtags.py. kind is 'hashtag', 'mention' or 'ab' (an A/B
-- variant tagged #ab-<experiment>-<variant>, stored as '<experiment>-<variant>'); tags are
-- NFKC-normalised and case-folded, so #Launch and #launch are one row.
CREATE TABLE content_tags (
    platform   VARCHAR NOT NULL,
    content_id VARCHAR NOT NULL,
    kind       VARCHAR NOT NULL,
    tag        VARCHAR NOT NULL,
    PRIMARY KEY (platform, content_id, kind, tag)
);

-- Competitor benchmarking: a business listed here is a competitor of a client (a businesses
-- file row with role = competitor and competitor_of = the client's id). Businesses not listed
-- are clients. A competitor gets no report and no email of its own; its figures appear only
-- in its client's benchmarks.
CREATE TABLE competitors (
    business_id   VARCHAR PRIMARY KEY,
    competitor_of VARCHAR NOT NULL
);

-- Comments on posts (canonical comments import), scored at ingest: sentiment is VADER's
-- compound score for English comments and NULL for those it cannot score (another language,
-- no words), with the language that was detected; label is positive, negative, neutral or
-- unscored.
CREATE TABLE comments (
    platform    VARCHAR NOT NULL,
    comment_id  VARCHAR NOT NULL,
    content_id  VARCHAR NOT NULL,
    business_id VARCHAR NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    author      VARCHAR,
    text        VARCHAR,
    language    VARCHAR,
    sentiment   DOUBLE,
    label       VARCHAR NOT NULL,
    source_file VARCHAR,
    ingested_at TIMESTAMPTZ,
    PRIMARY KEY (platform, comment_id)
);

-- A/B experiments declared in a canonical experiments file (posts may also declare theirs in
-- their caption, #ab-<experiment>-<variant>: see content_tags). A post takes one variant of an
-- experiment; the file wins over the caption.
CREATE TABLE experiment_posts (
    business_id VARCHAR NOT NULL,
    experiment  VARCHAR NOT NULL,
    platform    VARCHAR NOT NULL,
    content_id  VARCHAR NOT NULL,
    variant     VARCHAR NOT NULL,
    source_file VARCHAR,
    ingested_at TIMESTAMPTZ,
    PRIMARY KEY (platform, content_id, experiment)
);
