-- Bearer tokens for the API and the client portal (analytics access grant|list|revoke).
-- A token is "<token_id>.<secret>"; only the SHA-256 of the whole token is stored, so a copy
-- of the warehouse gives no way in. `businesses` are the ids the token may read.
CREATE TABLE access_tokens (
    token_id     VARCHAR PRIMARY KEY,
    name         VARCHAR NOT NULL,
    token_sha256 VARCHAR NOT NULL,
    businesses   VARCHAR[] NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    expires_at   TIMESTAMPTZ,
    revoked_at   TIMESTAMPTZ
);
