-- The rates every metric query shares, defined once (loaded on a connection before a snapshot).
-- A percentage that is undefined (NULL) when the whole is 0, never a division error or 0.
CREATE OR REPLACE TEMP MACRO percent_of(part, whole) AS part * 100.0 / nullif(whole, 0);
-- A rate over a group of posts is a ratio of sums, over the posts that report both counters:
-- a post without views (or without the numerator's counter) is left out of both sums.
CREATE OR REPLACE TEMP MACRO rate_of_sums(num, den) AS
    percent_of(sum(num) FILTER (WHERE den IS NOT NULL), sum(den) FILTER (WHERE num IS NOT NULL));
