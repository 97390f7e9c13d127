-- The delivery log of the given businesses, every period and recipient.
SELECT business_id, period, recipient, status, attempts, last_error, next_attempt_at,
       message_id
FROM delivery_log
WHERE list_contains($business_ids, business_id)
ORDER BY business_id, period, recipient
