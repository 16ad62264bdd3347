-- One row per grace period already published for a subscription in the run's scope (a grace
-- period is published once).
--
-- layer: ledger
-- grain: service_id, action_id
SELECT DISTINCT p.service_id, p.action_id
FROM published.grace_periods AS p
JOIN work.run_scope AS r ON r.subscription_id = p.subscription_id
