-- One shard's published content, loaded into a scratch warehouse (a worker running notebooks,
-- whose kernels open a warehouse file).
INSERT INTO content BY NAME
SELECT * FROM read_parquet($path, hive_partitioning = false)
