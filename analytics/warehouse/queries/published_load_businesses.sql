-- One shard's published businesses, loaded into a scratch warehouse (a worker running notebooks,
-- whose kernels open a warehouse file).
INSERT INTO businesses BY NAME
SELECT * FROM read_parquet($path, hive_partitioning = false)
