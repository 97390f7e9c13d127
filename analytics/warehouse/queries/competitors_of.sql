-- The competitors of the given clients, with their names, in id order.
SELECT k.competitor_of, b.business_id, b.name, b.timezone
FROM competitors AS k
JOIN businesses AS b USING (business_id)
WHERE list_contains($client_ids, k.competitor_of)
ORDER BY k.competitor_of, b.business_id
