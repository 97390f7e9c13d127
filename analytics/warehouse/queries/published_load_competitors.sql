-- One shard's published competitors, loaded into a scratch warehouse (a worker running notebooks,
-- whose kernels open a warehouse file).
INSERT INTO competitors BY NAME
SELECT * FROM read_parquet($path, hive_partitioning = false)
