-- Parsing helpers shared by every ingest format, created once per connection as temp macros.
-- Counters follow ONE number grammar, analytics.ingest.values.parse_count ("1234", "1,234",
-- "1 234", "1.2K", "N/A" missing, "too large" past 18 digits), which the platform adapters
-- call in Python and these macros call as count_*_py functions (values.register_sql). Plain
-- digits, by far the most common case (and all an adapter stages), take the first, cheapest
-- test instead: a large file's hot path never leaves SQL.
-- count_cell: the counter's text, NULL when it says "no value" (blank, '-', 'N/A'...).
CREATE OR REPLACE TEMP MACRO count_cell(x) AS
    CASE WHEN regexp_full_match(x, '[0-9]{1,18}') THEN x
         WHEN x IS NULL OR count_missing_py(x) THEN NULL ELSE x END;
-- parse_count: the count, or NULL when the text is not one (count_problem then says why).
CREATE OR REPLACE TEMP MACRO parse_count(x) AS
    CASE WHEN regexp_full_match(x, '[0-9]{1,18}') THEN CAST(x AS BIGINT)
         ELSE count_value_py(x) END;
-- count_problem: why a counter cannot be kept, or NULL when it can (blank is handled apart).
CREATE OR REPLACE TEMP MACRO count_problem(x) AS
    CASE WHEN regexp_full_match(x, '[0-9]{1,18}') THEN NULL ELSE count_problem_py(x) END;
CREATE OR REPLACE TEMP MACRO is_iso_date(x) AS
    regexp_full_match(x, '[0-9]{4}-[0-9]{2}-[0-9]{2}') AND try_cast(x AS DATE) IS NOT NULL;
-- cleaned: a cell without the spaces around it, NULL when blank. Most cells have none to
-- remove, and are spared the copy trim() would make.
CREATE OR REPLACE TEMP MACRO cleaned(x) AS
    nullif(CASE WHEN x LIKE ' %' OR x LIKE '% ' THEN trim(x) ELSE x END, '');
