-- The addresses refused in the businesses rows that are kept, one reject line each (the row
-- itself is not rejected: it keeps its good recipients). Run after every check of the row, so
-- a row rejected for another reason is rejected once, for that reason alone. An address with a
-- non-ASCII character gets its own reason ($non_ascii_reason: config.NON_ASCII_ADDRESS).
INSERT INTO _refused
SELECT _line, 'recipients',
       '''' || address || ''' '
       || CASE WHEN regexp_matches(address, '[^\x00-\x7F]') THEN $non_ascii_reason
               ELSE 'is not an email address' END
       || '; the business is kept '
       || CASE WHEN len(recipients) = 0 THEN 'with no recipients' ELSE 'with its other recipients' END
FROM (SELECT _line, recipients, unnest(refused) AS address FROM _checked WHERE problem IS NULL)
