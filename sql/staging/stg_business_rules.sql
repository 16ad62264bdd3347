-- One row per business-rule version: key, value and the half-open span [valid_from, valid_to)
-- in which it governs (valid_to null = still in force). A rule is read at the version valid on
-- the date it governs, falling back to the documented default when no version covers it.
SELECT
    r.key,
    r.value,
    r.valid_from,
    LEAD(r.valid_from) OVER (PARTITION BY r.key ORDER BY r.valid_from) AS valid_to
FROM upstream.business_rules AS r
