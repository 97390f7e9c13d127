-- New and changed comments, with their scores (_scores: _line, language, sentiment, label).
INSERT INTO comments (platform, comment_id, content_id, business_id, created_at, author, text,
                      language, sentiment, label, source_file, ingested_at)
SELECT k.platform, k.comment_id, k.content_id, k.business_id, k.created_at, k.author, k.text,
       s.language, s.sentiment, s.label, $source_file, $ingested_at
FROM _checked AS k
JOIN _scores AS s USING (_line)
WHERE k.problem IS NULL AND k.status IN ('inserted', 'updated')
ON CONFLICT (platform, comment_id) DO UPDATE SET
    content_id = excluded.content_id, business_id = excluded.business_id,
    created_at = excluded.created_at, author = excluded.author, text = excluded.text,
    language = excluded.language, sentiment = excluded.sentiment, label = excluded.label,
    source_file = excluded.source_file, ingested_at = excluded.ingested_at
