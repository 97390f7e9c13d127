-- Counters that went down between two observations of a post (likes 40, then 0), where at
-- least one of the two comes from the file being ingested. Both are kept (platforms do remove
-- likes, and a later observation is the truth as of its day); this only reports them, in the
-- ingest summary and the file's decreases log. `_line` is the line of the file's observation
-- (the later one when both are the file's).
WITH new AS (
    SELECT k._line, k.platform, k.content_id, k.observed_date AS observed_on
    FROM _checked AS k
    JOIN _status AS s USING (_line)
    WHERE s.status IN ('inserted', 'updated')
),
series AS (
    -- every observation of the file's posts beside the one before it; narrow columns, so
    -- that the rare decreases are found before anything is widened
    SELECT platform, content_id, observed_on,
           ingested_at = $ingested_at AND source_file = $source_file AS mine,
           views, reach, likes, shares, comments, clicks,
           lag(observed_on) OVER w AS before_day,
           lag(ingested_at = $ingested_at AND source_file = $source_file) OVER w AS before_mine,
           lag(views) OVER w AS before_views, lag(reach) OVER w AS before_reach,
           lag(likes) OVER w AS before_likes, lag(shares) OVER w AS before_shares,
           lag(comments) OVER w AS before_comments, lag(clicks) OVER w AS before_clicks
    FROM content_metrics
    WHERE (platform, content_id) IN (SELECT platform, content_id FROM new)
    WINDOW w AS (PARTITION BY platform, content_id ORDER BY observed_on)
),
down AS (
    SELECT * FROM series
    WHERE (mine OR before_mine)
      AND (views < before_views OR reach < before_reach OR likes < before_likes
           OR shares < before_shares OR comments < before_comments OR clicks < before_clicks)
),
counters AS (
    SELECT platform, content_id, mine, before_day, observed_on AS after_day,
           unnest(['views', 'reach', 'likes', 'shares', 'comments', 'clicks']) AS counter,
           unnest([before_views, before_reach, before_likes, before_shares, before_comments,
                   before_clicks]) AS before_value,
           unnest([views, reach, likes, shares, comments, clicks]) AS after_value
    FROM down
)
SELECT n._line, c.platform, c.content_id, c.counter, c.before_day, c.before_value,
       c.after_day, c.after_value
FROM counters AS c
JOIN new AS n
  ON n.platform = c.platform AND n.content_id = c.content_id
 AND n.observed_on = CASE WHEN c.mine THEN c.after_day ELSE c.before_day END
WHERE c.after_value < c.before_value
ORDER BY n._line, list_position(['views', 'reach', 'likes', 'shares', 'comments', 'clicks'],
                                c.counter), c.before_day
