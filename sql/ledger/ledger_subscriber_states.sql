-- One row per account of the run's scope with a published subscriber state: the last state
-- published and since when (a run publishes a state only when it changes).
--
-- layer: ledger
-- grain: account_id
SELECT
    p.account_id,
    ARG_MAX(p.state, p.as_of) AS state,
    ARG_MAX(p.since, p.as_of) AS since
FROM published.subscriber_states AS p
WHERE p.account_id IN (
    SELECT s.account_id
    FROM work.run_scope AS r
    JOIN work.src_subscriptions AS s ON s.subscription_id = r.subscription_id
)
GROUP BY p.account_id
