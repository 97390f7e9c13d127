-- The addresses refused in the businesses rows that are kept, one reject line each (the row
-- itself is not rejected: it keeps its good recipients). Run after every check of the row, so
-- a row rejected for another reason is rejected once, for that reason alone.
INSERT INTO _refused
SELECT _line, 'recipients',
       '''' || address || ''' is not an email address; the business is kept '
       || CASE WHEN len(recipients) = 0 THEN 'with no recipients' ELSE 'with its other recipients' END
FROM (SELECT _line, recipients, unnest(refused) AS address FROM _checked WHERE problem IS NULL)
