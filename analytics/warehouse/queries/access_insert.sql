-- Record a newly granted token (its hash only; the token itself is printed once and forgotten).
INSERT INTO access_tokens (token_id, name, token_sha256, businesses, created_at, expires_at)
VALUES ($token_id, $label, $token_sha256, $businesses, $created_at, $expires_at)
