-- New and changed experiment rows of the file.
INSERT INTO experiment_posts (business_id, experiment, platform, content_id, variant,
                              source_file, ingested_at)
SELECT business_id, experiment, platform, content_id, variant, $source_file, $ingested_at
FROM _checked
WHERE problem IS NULL AND status IN ('inserted', 'updated')
ON CONFLICT (platform, content_id, experiment) DO UPDATE SET
    variant = excluded.variant, business_id = excluded.business_id,
    source_file = excluded.source_file, ingested_at = excluded.ingested_at
