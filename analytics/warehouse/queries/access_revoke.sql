-- Revoke a token by its id or name; returns the tokens revoked now.
UPDATE access_tokens
SET revoked_at = $now
WHERE (token_id = $which OR name = $which) AND revoked_at IS NULL
RETURNING token_id, name
