-- Every token's record with its hash, for a server that checks tokens against a snapshot
-- held in memory (analytics/serve): expiry and revocation are checked by the caller.
SELECT token_id, name, token_sha256, businesses, expires_at, revoked_at
FROM access_tokens
