-- The posts a posts file just wrote (the winning row of each post in _checked), with their
-- stored title: their tags are extracted again, since a later export may edit a caption.
SELECT DISTINCT c.platform, c.content_id, c.title
FROM content AS c
JOIN _checked AS k USING (platform, content_id)
WHERE k.problem IS NULL AND k.post_winner
