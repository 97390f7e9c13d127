-- Replace the tags of the posts in _tag_scope (platform, content_id) with those in _new_tags
-- (platform, content_id, kind, tag): a caption that lost a tag loses its row.
DELETE FROM content_tags AS t
USING _tag_scope AS s
WHERE t.platform = s.platform AND t.content_id = s.content_id;
INSERT INTO content_tags (platform, content_id, kind, tag)
SELECT DISTINCT platform, content_id, kind, tag FROM _new_tags;
