-- One row per business-rule version: key, value and the half-open span [valid_from, valid_to)
-- in which it governs (valid_to null = still in force), read with VALID_ON on the date it
-- governs. Before a key's first upstream version (or always, when upstream sets none) its
-- documented default (src_rule_defaults) is in force, as a version from 0001-01-01, so that no
-- reader needs a fallback; `is_default` tells the two apart.
--
-- layer: sources
-- grain: key, valid_from
-- materialized: view
WITH upstream_versions AS (
    SELECT
        key,
        value,
        valid_from,
        LEAD(valid_from) OVER (PARTITION BY key ORDER BY valid_from) AS valid_to,
        FALSE AS is_default
    FROM upstream.business_rules
),

first_versions AS (
    SELECT key, MIN(valid_from) AS valid_from FROM upstream.business_rules GROUP BY key
)

SELECT key, value, valid_from, valid_to, is_default
FROM upstream_versions
UNION ALL
SELECT d.key, d.value, DATE '0001-01-01' AS valid_from, f.valid_from AS valid_to, TRUE AS is_default
FROM work.src_rule_defaults AS d
LEFT JOIN first_versions AS f ON f.key = d.key
WHERE f.valid_from IS NULL OR f.valid_from > DATE '0001-01-01'
