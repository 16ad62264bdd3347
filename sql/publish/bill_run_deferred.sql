-- One row per kind of input the run loaded but does not apply yet (src_applied_features says
-- what is applied): visible actions of the kinds that later issues apply, services of product
-- kinds not billed yet (and services charged per cycle in a subscription with billing_cycle
-- `none`, which cannot bill them: name `<kind>:billing_cycle_none`; the loader quarantines
-- them, src_services), and business-rule versions set upstream with a key (or, for the timing
-- rules, a value) this release does not apply; a timing rule with another value than
-- `immediate` or `end_of_period` is applied as `immediate` (end_of_period_actions).
--
-- layer: publish
-- grain: bill_run_id, kind, name
-- published: append
WITH applied AS (
    SELECT kind, name, value FROM work.src_applied_features
)

SELECT CAST(:bill_run_id AS VARCHAR) AS bill_run_id, 'action' AS kind, action AS name,
       COUNT(*) AS rows_count
FROM work.src_actions_visible
WHERE NOT is_applied
GROUP BY action
UNION ALL
SELECT CAST(:bill_run_id AS VARCHAR), 'product_kind', u.name, COUNT(*)
FROM (
    SELECT
        CASE WHEN s.product_kind IN (SELECT name FROM applied WHERE kind = 'product_kind')
             THEN s.product_kind || ':billing_cycle_none' ELSE s.product_kind END AS name
    FROM work.src_services AS s
    WHERE NOT s.is_billed
) AS u
GROUP BY u.name
UNION ALL
SELECT CAST(:bill_run_id AS VARCHAR), 'business_rule', r.key, COUNT(*)
FROM work.src_business_rules AS r
WHERE NOT r.is_default
  AND NOT EXISTS (
      SELECT 1 FROM applied AS a
      WHERE a.kind = 'business_rule'
        AND (a.name = r.key OR (ENDS_WITH(a.name, '_') AND STARTS_WITH(r.key, a.name)))
        AND (a.value IS NULL OR a.value = r.value)
  )
GROUP BY r.key
