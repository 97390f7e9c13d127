-- Comment sentiment: the comments of the given businesses made on a local day of the period
-- (no later than $as_of), with their post's title, scored at ingest (comments.label).
SELECT k.business_id, k.platform, k.content_id, c.title, k.author, k.label, k.language
FROM comments AS k
JOIN businesses AS b USING (business_id)
JOIN content AS c USING (platform, content_id)
WHERE list_contains($business_ids, k.business_id)
  AND CAST(timezone(b.timezone, k.created_at) AS DATE) BETWEEN $start AND least($end, $as_of)
ORDER BY k.business_id, k.platform, k.content_id, k.comment_id
