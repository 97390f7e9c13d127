-- The state of the warehouse a reader saw: how many post observations it held and when the
-- newest was ingested (recorded in report.json, so a report says which ingests it includes).
-- Whole-warehouse on purpose: per business it would cost a join over every observation while
-- writers wait (see benchmarks/bench_concurrency.py); this reads column statistics.
SELECT
    count(*) AS observations,
    max(ingested_at) AS last_ingest_at
FROM content_metrics
