-- Parsing helpers shared by every ingest format, created once per connection as temp macros.
-- parse_count: a non-negative whole number written plainly ("1234", "1234.0", "1,234");
-- NULL when the text is anything else (the check then says why). Plain digits, by far the
-- most common case, take the first, cheapest test (a large file's hot path).
CREATE OR REPLACE TEMP MACRO parse_count(x) AS
    CASE WHEN regexp_full_match(x, '[0-9]{1,18}') THEN CAST(x AS BIGINT)
         WHEN regexp_full_match(trim(x), '\+?([0-9]+|[0-9]{1,3}(,[0-9]{3})+)(\.0+)?')
         THEN TRY_CAST(CAST(replace(replace(trim(x), ',', ''), '+', '') AS DOUBLE) AS BIGINT) END;
-- count_problem: why a counter cannot be kept, or NULL when it can (blank is handled apart).
CREATE OR REPLACE TEMP MACRO count_problem(x) AS
    CASE WHEN parse_count(x) IS NOT NULL THEN NULL
         WHEN regexp_full_match(trim(x), '-[0-9.,]+') THEN 'is negative: ''' || x || ''''
         ELSE 'is not a whole number: ''' || x || '''' END;
CREATE OR REPLACE TEMP MACRO is_iso_date(x) AS
    regexp_full_match(x, '[0-9]{4}-[0-9]{2}-[0-9]{2}') AND try_cast(x AS DATE) IS NOT NULL;
-- cleaned: a cell without the spaces around it, NULL when blank. Most cells have none to
-- remove, and are spared the copy trim() would make.
CREATE OR REPLACE TEMP MACRO cleaned(x) AS
    nullif(CASE WHEN x LIKE ' %' OR x LIKE '% ' THEN trim(x) ELSE x END, '');
