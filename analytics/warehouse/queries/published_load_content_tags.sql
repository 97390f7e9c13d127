-- One shard's published content_tags, loaded into a scratch warehouse (a worker running notebooks,
-- whose kernels open a warehouse file).
INSERT INTO content_tags BY NAME
SELECT * FROM read_parquet($path, hive_partitioning = false)
