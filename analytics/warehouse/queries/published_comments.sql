-- The scored comments of one shard's businesses (the columns reports read; not the text),
-- as `analytics publish` copies them.
SELECT platform, comment_id, content_id, business_id, created_at, author, language, sentiment,
       label
FROM comments
WHERE list_contains($business_ids, business_id)
ORDER BY platform, comment_id
