-- One row per kind of input the run loaded but does not apply yet: visible actions of the
-- kinds that later issues apply, services of product kinds not billed yet, and business-rule
-- keys that are set but not applied by this release (downgrade_timing and
-- cancel_out_of_contract are applied when `immediate` or `end_of_period`, see
-- int_end_of_period_actions; another value is applied as `immediate` and reported).
SELECT CAST(:bill_run_id AS VARCHAR) AS bill_run_id, 'action' AS kind, action AS name, COUNT(*) AS rows_count
FROM work.stg_actions_visible
WHERE NOT is_applied
GROUP BY action
UNION ALL
SELECT CAST(:bill_run_id AS VARCHAR), 'product_kind', p.kind, COUNT(*)
FROM upstream.services AS s
JOIN upstream.products AS p ON p.product_id = s.product_id
WHERE p.kind NOT IN ('termed', 'device')
GROUP BY p.kind
UNION ALL
SELECT CAST(:bill_run_id AS VARCHAR), 'business_rule', key, COUNT(*)
FROM upstream.business_rules
WHERE key NOT IN (
    'default_billing_day', 'default_billing_weekday', 'pause_max_days',
    'pause_max_times_per_year', 'payment_terms_days'
)
  AND NOT (
      key IN ('downgrade_timing', 'cancel_out_of_contract')
      AND value IN ('immediate', 'end_of_period')
  )
GROUP BY key
