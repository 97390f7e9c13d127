-- One shard's published comments, loaded into a scratch warehouse (a worker running notebooks,
-- whose kernels open a warehouse file).
INSERT INTO comments BY NAME
SELECT * FROM read_parquet($path, hive_partitioning = false)
