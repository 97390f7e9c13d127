INSERT INTO businesses (business_id, name, timezone, recipients, cadence)
SELECT business_id, name, timezone, recipients, cadence
FROM _checked
WHERE problem IS NULL AND status <> 'unchanged'
ON CONFLICT (business_id) DO UPDATE SET
    name = excluded.name,
    timezone = excluded.timezone,
    recipients = excluded.recipients,
    cadence = excluded.cadence
