-- One row per subscription in the run's scope with a published state: the last state
-- published and since when (a run publishes a state only when it changes).
--
-- layer: ledger
-- grain: subscription_id
SELECT
    p.subscription_id,
    ARG_MAX(p.state, p.as_of) AS state,
    ARG_MAX(p.since, p.as_of) AS since
FROM published.subscription_states AS p
JOIN work.run_scope AS r ON r.subscription_id = p.subscription_id
GROUP BY p.subscription_id
