-- One row per billable service (billable_services) whose subscription the run replays
-- (run_scope.resumes is false): the root of the state machine. Every model the stored state
-- is computed from (a model declaring `state`, and each one it reads in the expected layer)
-- reads its services from here, never from billable_services, so that the machine walks only
-- the subscriptions whose actions or account may have changed; the rest resume from the state
-- stored by the run that last computed them (resumed_services, pipelines/engine/catalog.py).
--
-- layer: expected
-- grain: service_id
SELECT s.*
FROM work.billable_services AS s
JOIN work.run_scope AS r ON r.subscription_id = s.subscription_id
WHERE NOT r.resumes
