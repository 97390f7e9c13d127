-- One shard's published followers, loaded into a scratch warehouse (a worker running notebooks,
-- whose kernels open a warehouse file).
INSERT INTO followers BY NAME
SELECT * FROM read_parquet($path, hive_partitioning = false)
