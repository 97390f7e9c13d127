-- One row per (business, period, recipient) the weekly email was meant for: what happened,
-- how many attempts, the last error, our Message-ID and the server's reply. `sent` rows are
-- never sent again.
CREATE TABLE delivery_log (
    business_id      VARCHAR NOT NULL,
    period           VARCHAR NOT NULL,
    recipient        VARCHAR NOT NULL,
    status           VARCHAR NOT NULL,  -- sending | sent | failed
    attempts         INTEGER NOT NULL DEFAULT 0,
    last_error       VARCHAR,
    message_id       VARCHAR,
    smtp_reply       VARCHAR,
    report_sha256    VARCHAR,
    first_attempt_at TIMESTAMPTZ,
    last_attempt_at  TIMESTAMPTZ,
    next_attempt_at  TIMESTAMPTZ,
    sent_at          TIMESTAMPTZ,
    PRIMARY KEY (business_id, period, recipient)
);
