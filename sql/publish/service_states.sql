-- One row per billable service whose state as of :as_of differs from the last one published:
-- the state after the actions effective by as_of (a pause that ran out is effective again; a
-- non-renewing termed period that ended is not_effective) and since when (domain.md §4).
-- Services never activated by as_of are draft since ordered_on.
--
-- layer: publish
-- grain: service_id, bill_run_id
-- published: append
WITH runs AS (
    SELECT
        t.*,
        CASE
            WHEN LAG(t.state) OVER (PARTITION BY t.service_id ORDER BY t.seg_start) = t.state
                THEN 0 ELSE 1
        END AS starts_run
    FROM work.service_timeline AS t
    WHERE t.seg_start <= :as_of
),

current_state AS (
    SELECT
        service_id,
        ARG_MAX(state, seg_start) AS state,
        MAX(CASE WHEN starts_run = 1 THEN seg_start END) AS since
    FROM runs
    GROUP BY service_id
),

resolved AS (
    SELECT
        s.service_id,
        s.subscription_id,
        s.account_id,
        CASE
            WHEN c.state IS NULL THEN 'draft'
            WHEN c.state = 'effective' AND t.term_end <= :as_of THEN 'not_effective'
            ELSE c.state
        END AS state,
        CASE
            WHEN c.state IS NULL THEN s.ordered_on
            WHEN c.state = 'effective' AND t.term_end <= :as_of THEN t.term_end
            ELSE c.since
        END AS since
    FROM work.billable_services AS s
    LEFT JOIN current_state AS c ON c.service_id = s.service_id
    LEFT JOIN work.service_terms AS t ON t.service_id = s.service_id
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
