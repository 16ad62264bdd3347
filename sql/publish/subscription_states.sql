-- One row per subscription whose state as of :as_of, or the date since when it holds, differs
-- from the last one published (domain.md §4; holder_states says how a state is read). A
-- subscription with a frozen service publishes nothing until it thaws.
--
-- layer: publish
-- grain: subscription_id, bill_run_id
-- published: append
WITH frozen AS (
    SELECT DISTINCT s.subscription_id
    FROM work.frozen_services AS f
    JOIN work.billable_services AS s ON s.service_id = f.service_id
)

SELECT
    c.holder_id AS subscription_id,
    c.account_id,
    c.state,
    c.since,
    :as_of AS as_of,
    :bill_run_id AS bill_run_id
FROM work.holder_states AS c
LEFT JOIN frozen AS f ON f.subscription_id = c.holder_id
LEFT JOIN work.ledger_subscription_states AS l ON l.subscription_id = c.holder_id
WHERE c.holder_kind = 'subscription'
  AND f.subscription_id IS NULL
  AND (l.subscription_id IS NULL OR l.state <> c.state OR l.since IS DISTINCT FROM c.since)
