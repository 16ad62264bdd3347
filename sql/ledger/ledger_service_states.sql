-- One row per service of a subscription in the run's scope with a published state: the last
-- state published and since when (a run publishes a state only when it changes).
--
-- layer: ledger
-- grain: service_id
SELECT p.service_id, ARG_MAX(p.state, p.as_of) AS state, ARG_MAX(p.since, p.as_of) AS since
FROM published.service_states AS p
JOIN work.run_scope AS r ON r.subscription_id = p.subscription_id
GROUP BY p.service_id
