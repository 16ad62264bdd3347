-- One row per billable service (billable_services) whose subscription resumes
-- (run_scope.resumes): the state machine's outputs for it are read back from the state the
-- run that last computed it stored (the `state` schema), not walked again, since nothing they
-- are computed from can have changed since (run_scope).
--
-- layer: expected
-- grain: service_id
SELECT s.service_id, s.subscription_id
FROM work.billable_services AS s
JOIN work.run_scope AS r ON r.subscription_id = s.subscription_id
WHERE r.resumes
