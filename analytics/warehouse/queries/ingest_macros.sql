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
-- post_problem: why a row about a post (a comment, an experiment's member) cannot be kept, or
-- NULL when it can. The post must be one the warehouse holds (`owner`: its business, NULL when
-- no such post) and belong to the business the row names.
CREATE OR REPLACE TEMP MACRO post_problem(row_business, row_platform, row_content, owner) AS
    CASE WHEN owner IS NULL THEN
             {'column': 'content_id', 'reason': 'is not a post of the warehouse (' || row_platform || ' ' || row_content || '): ingest its posts first'}
         WHEN owner <> row_business THEN
             {'column': 'business_id', 'reason': 'the post belongs to another business'}
    END;
-- repeated_line: a file that holds one thing twice (a business, a post's observation, a day…)
-- keeps its later line, `kept_line`; the problem of an earlier line, or NULL for the kept one.
-- `thing` names what repeats, `detail` (may be '') follows the line number in the reason.
CREATE OR REPLACE TEMP MACRO repeated_line(line, kept_line, problem_column, thing, detail) AS
    CASE WHEN line <> kept_line THEN
        {'column': problem_column, 'reason': 'repeats the ' || thing || ' of line ' || CAST(kept_line AS VARCHAR) || detail || '; the later line is kept'}
    END;
-- years_problem: a time outside the one year window (config.YEARS, bound by the caller as
-- $min_year/$max_year), worded the same for every file; NULL inside it. `raw` is the cell as
-- written, `problem_column` its column.
CREATE OR REPLACE TEMP MACRO years_problem(ts, raw, problem_column, min_year, max_year) AS
    CASE WHEN year(ts) < min_year OR year(ts) > max_year THEN
        {'column': problem_column, 'reason': '''' || raw || ''' is outside the years ' || min_year || '-' || max_year}
    END;
