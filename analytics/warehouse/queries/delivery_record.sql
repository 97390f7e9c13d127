-- Write one delivery's state (insert the first time, update after). $sent_at is $now when
-- the status is sent (the caller knows the status vocabulary), else NULL.
INSERT INTO delivery_log (
    business_id, period, recipient, status, attempts, last_error, message_id, smtp_reply,
    report_sha256, first_attempt_at, last_attempt_at, next_attempt_at, sent_at
)
VALUES (
    $business_id, $period, $recipient, $status, $attempts, $last_error, $message_id,
    $smtp_reply, $report_sha256, $now, $now, $next_attempt_at,
    CAST($sent_at AS TIMESTAMPTZ)
)
ON CONFLICT (business_id, period, recipient) DO UPDATE SET
    status = excluded.status,
    attempts = excluded.attempts,
    last_error = excluded.last_error,
    message_id = excluded.message_id,
    smtp_reply = coalesce(excluded.smtp_reply, delivery_log.smtp_reply),
    report_sha256 = coalesce(excluded.report_sha256, delivery_log.report_sha256),
    last_attempt_at = excluded.last_attempt_at,
    next_attempt_at = excluded.next_attempt_at,
    sent_at = coalesce(excluded.sent_at, delivery_log.sent_at)
