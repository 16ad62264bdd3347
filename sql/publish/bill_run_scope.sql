-- One row per reason a subscription was in the run's scope (run_scope: full, changed, due,
-- quarantined), with how many were: why a run computed what it did.
--
-- layer: publish
-- grain: bill_run_id, reason
-- published: append
SELECT CAST(:bill_run_id AS VARCHAR) AS bill_run_id, reason, COUNT(*) AS subscriptions
FROM work.run_scope
GROUP BY reason
