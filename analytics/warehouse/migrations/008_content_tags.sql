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
