-- The stored record of one token id: the caller compares hashes in constant time and checks
-- expiry and revocation itself, so every refusal takes the same path.
SELECT token_id, name, token_sha256, businesses, expires_at, revoked_at
FROM access_tokens
WHERE token_id = $token_id
