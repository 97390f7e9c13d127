-- Every rejected line of the file being ingested, in line order: those refused while reading
-- (_read_rejects) and those the checks refused (_checked). A daily line holds several metrics
-- but is rejected once.
SELECT _line, "column", reason FROM _read_rejects
UNION ALL
SELECT DISTINCT _line, problem."column", problem.reason FROM _checked WHERE problem IS NOT NULL
ORDER BY 1, 2, 3
