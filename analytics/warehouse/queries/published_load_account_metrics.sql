-- One shard's published account_metrics, loaded into a scratch warehouse (a worker running notebooks,
-- whose kernels open a warehouse file).
INSERT INTO account_metrics BY NAME
SELECT * FROM read_parquet($path, hive_partitioning = false)
