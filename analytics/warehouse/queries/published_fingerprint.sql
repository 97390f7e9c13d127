-- What each shard's published copy holds, summarised: row counts and an order-independent hash
-- of every row of every published table (the columns published), so an unchanged shard is
-- recognised without reading its files back. $business_ids[i] is in shard $shards[i] (a
-- competitor in its client's shard).
WITH shard_of AS (
    SELECT unnest($business_ids) AS business_id, unnest($shards) AS shard
),
b AS (
    SELECT s.shard, count(*) AS n, bit_xor(hash(x)) AS h
    FROM (SELECT business_id, name, timezone, recipients, cadence FROM businesses) AS x
    JOIN shard_of AS s USING (business_id)
    GROUP BY s.shard
),
c AS (
    SELECT s.shard, count(*) AS n, bit_xor(hash(x)) AS h
    FROM (SELECT platform, content_id, business_id, content_type, published_at, title,
                 permalink, published_time_known FROM content) AS x
    JOIN shard_of AS s USING (business_id)
    GROUP BY s.shard
),
o AS (
    SELECT s.shard, count(*) AS n, bit_xor(hash(x)) AS h
    FROM (SELECT c.business_id, m.platform, m.content_id, m.observed_on, m.views, m.reach,
                 m.likes, m.shares, m.comments, m.clicks
          FROM content_metrics AS m JOIN content AS c USING (platform, content_id)) AS x
    JOIN shard_of AS s USING (business_id)
    GROUP BY s.shard
),
f AS (
    SELECT s.shard, bit_xor(hash(x)) AS h
    FROM (SELECT business_id, platform, day, followers, source_file FROM followers) AS x
    JOIN shard_of AS s USING (business_id)
    GROUP BY s.shard
),
a AS (
    SELECT s.shard, bit_xor(hash(x)) AS h
    FROM (SELECT business_id, platform, metric, day, value FROM account_metrics) AS x
    JOIN shard_of AS s USING (business_id)
    GROUP BY s.shard
),
t AS (
    SELECT s.shard, bit_xor(hash(x)) AS h
    FROM (SELECT c.business_id, t.platform, t.content_id, t.kind, t.tag
          FROM content_tags AS t JOIN content AS c USING (platform, content_id)) AS x
    JOIN shard_of AS s USING (business_id)
    GROUP BY s.shard
),
k AS (
    SELECT s.shard, bit_xor(hash(x)) AS h
    FROM (SELECT business_id, competitor_of FROM competitors) AS x
    JOIN shard_of AS s USING (business_id)
    GROUP BY s.shard
),
r AS (
    SELECT s.shard, bit_xor(hash(x)) AS h
    FROM (SELECT platform, comment_id, content_id, business_id, created_at, author, language,
                 sentiment, label FROM comments) AS x
    JOIN shard_of AS s USING (business_id)
    GROUP BY s.shard
),
e AS (
    SELECT s.shard, bit_xor(hash(x)) AS h
    FROM (SELECT business_id, experiment, platform, content_id, variant
          FROM experiment_posts) AS x
    JOIN shard_of AS s USING (business_id)
    GROUP BY s.shard
)
SELECT
    b.shard,
    b.n AS businesses,
    coalesce(c.n, 0) AS posts,
    coalesce(o.n, 0) AS observations,
    concat_ws('-', b.h, coalesce(c.h, 0), coalesce(o.h, 0), coalesce(f.h, 0), coalesce(a.h, 0),
              coalesce(t.h, 0), coalesce(k.h, 0), coalesce(r.h, 0), coalesce(e.h, 0))
        AS fingerprint
FROM b
LEFT JOIN c USING (shard)
LEFT JOIN o USING (shard)
LEFT JOIN f USING (shard)
LEFT JOIN a USING (shard)
LEFT JOIN t USING (shard)
LEFT JOIN k USING (shard)
LEFT JOIN r USING (shard)
LEFT JOIN e USING (shard)
ORDER BY b.shard
