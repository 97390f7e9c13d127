-- The data's as-of date, recorded in the published manifest: the latest observation.
SELECT max(observed_on) AS as_of FROM content_metrics
