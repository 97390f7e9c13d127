-- Every rejected line of the file being ingested, in line order: those refused while reading
-- (_read_rejects) and those the checks refused (_checked), then the values refused in rows that
-- were kept (_refused: a bad recipient), flagged `kept` so they are not counted as rows
-- rejected. A daily line holds several metrics but is rejected once.
SELECT _line, "column", reason, false AS kept FROM _read_rejects
UNION ALL
SELECT DISTINCT _line, problem."column", problem.reason, false FROM _checked WHERE problem IS NOT NULL
UNION ALL
SELECT _line, "column", reason, true FROM _refused
ORDER BY 1, 2, 3
