-- One row per subscriber (account) whose state as of :as_of, or the date since when it holds,
-- differs from the last one published (domain.md §4: the subscription rule over all the
-- account's services; holder_states). An account with a frozen service publishes nothing
-- until it thaws.
--
-- layer: publish
-- grain: account_id, bill_run_id
-- published: append
WITH frozen AS (
    SELECT DISTINCT s.account_id
    FROM work.frozen_services AS f
    JOIN work.billable_services AS s ON s.service_id = f.service_id
)

SELECT
    c.account_id,
    c.state,
    c.since,
    :as_of AS as_of,
    :bill_run_id AS bill_run_id
FROM work.holder_states AS c
LEFT JOIN frozen AS f ON f.account_id = c.account_id
LEFT JOIN work.ledger_subscriber_states AS l ON l.account_id = c.account_id
WHERE c.holder_kind = 'subscriber'
  AND f.account_id IS NULL
  AND (l.account_id IS NULL OR l.state <> c.state OR l.since IS DISTINCT FROM c.since)
