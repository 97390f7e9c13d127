-- The comments of the file to (re)score: the new and changed ones.
SELECT _line, text FROM _checked
WHERE problem IS NULL AND status IN ('inserted', 'updated') AND problem IS NULL
