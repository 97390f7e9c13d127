-- Every token, newest first, without its hash (`analytics access list`).
SELECT token_id, name, businesses, created_at, expires_at, revoked_at
FROM access_tokens
ORDER BY created_at DESC, token_id
