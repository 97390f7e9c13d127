-- One shard's published experiment_posts, loaded into a scratch warehouse (a worker running notebooks,
-- whose kernels open a warehouse file).
INSERT INTO experiment_posts BY NAME
SELECT * FROM read_parquet($path, hive_partitioning = false)
