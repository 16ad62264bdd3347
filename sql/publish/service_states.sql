-- One row per billable service whose state as of :as_of differs from the last one published:
-- its run of states (service_state_spans) that holds on as_of, and since when (domain.md §4).
-- A service not ordered yet by as_of is draft since ordered_on.
--
-- layer: publish
-- grain: service_id, bill_run_id
-- published: append
WITH current_state AS (
    SELECT service_id, state, run_start AS since
    FROM work.service_state_spans
    WHERE run_start <= :as_of AND (run_end IS NULL OR run_end > :as_of)
),

resolved AS (
    SELECT
        s.service_id,
        s.subscription_id,
        s.account_id,
        COALESCE(c.state, 'draft') AS state,
        COALESCE(c.since, s.ordered_on) AS since
    FROM work.billable_services AS s
    LEFT JOIN current_state AS c ON c.service_id = s.service_id
    LEFT JOIN work.frozen_services AS f ON f.service_id = s.service_id
    WHERE f.service_id IS NULL
)

SELECT
    r.service_id,
    r.subscription_id,
    r.account_id,
    r.state,
    r.since,
    :as_of AS as_of,
    :bill_run_id AS bill_run_id
FROM resolved AS r
LEFT JOIN work.ledger_service_states AS l ON l.service_id = r.service_id
WHERE l.service_id IS NULL OR l.state <> r.state OR l.since IS DISTINCT FROM r.since
