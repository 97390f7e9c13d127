-- What each shard's published copy holds, summarised: row counts and an order-independent hash
-- of every row of the three tables (the columns published), so an unchanged shard is
-- recognised without reading its files back. $business_ids[i] is in shard $shards[i].
WITH shard_of AS (
    SELECT unnest($business_ids) AS business_id, unnest($shards) AS shard
),
b AS (
    SELECT s.shard, count(*) AS n, bit_xor(hash(x)) AS h
    FROM (SELECT business_id, name, timezone, recipients FROM businesses) AS x
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
)
SELECT
    b.shard,
    b.n AS businesses,
    coalesce(c.n, 0) AS posts,
    coalesce(o.n, 0) AS observations,
    concat_ws('-', b.h, coalesce(c.h, 0), coalesce(o.h, 0)) AS fingerprint
FROM b
LEFT JOIN c USING (shard)
LEFT JOIN o USING (shard)
ORDER BY b.shard
