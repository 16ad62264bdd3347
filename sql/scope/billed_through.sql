-- One row per subscription in the run's scope with published lines: the start of the last
-- period billed. The run values every period up to it, whatever the billing horizon is now (a
-- key with published lines stays in the expected set: domain.md §3, a snapshot that lowers
-- bill_days_before never credits and re-bills), so the expected layer learns how far to go
-- from the scope, never from the ledger itself.
--
-- layer: scope
-- grain: subscription_id
SELECT subscription_id, MAX(cycle_start) AS billed_through
FROM work.ledger_charge_keys
GROUP BY subscription_id
