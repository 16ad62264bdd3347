-- One row per subscription whose state as of :as_of, or the date since when it holds, differs
-- from the last one published (domain.md §4): active when a service is effective or paused,
-- churned when every service is cancelled or regretted, otherwise inactive; since is the
-- first day of the current run of that state. Read over the services the subscription has
-- by each date (service_state_spans); a subscription with a frozen service publishes nothing
-- until it thaws.
--
-- layer: publish
-- grain: subscription_id, bill_run_id
-- published: append
WITH spans AS (
    SELECT p.service_id, p.state, p.run_start, p.run_end, s.subscription_id
    FROM work.service_state_spans AS p
    JOIN work.billable_services AS s ON s.service_id = p.service_id
    WHERE p.run_start <= :as_of
),

change_dates AS (
    SELECT DISTINCT subscription_id, run_start AS on_date FROM spans
),

states_on AS (
    SELECT
        d.subscription_id,
        d.on_date,
        CASE
            WHEN BOOL_OR(p.state IN ('effective', 'paused')) THEN 'active'
            WHEN BOOL_AND(p.state IN ('cancelled', 'regretted')) THEN 'churned'
            ELSE 'inactive'
        END AS state
    FROM change_dates AS d
    JOIN spans AS p
        ON p.subscription_id = d.subscription_id AND p.run_start <= d.on_date
       AND (p.run_end IS NULL OR p.run_end > d.on_date)
    GROUP BY d.subscription_id, d.on_date
),

changes AS (
    SELECT
        *,
        LAG(state) OVER (PARTITION BY subscription_id ORDER BY on_date) IS DISTINCT FROM state
            AS starts_run
    FROM states_on
),

current_state AS (
    SELECT
        subscription_id,
        ARG_MAX(state, on_date) AS state,
        MAX(CASE WHEN starts_run THEN on_date END) AS since
    FROM changes
    GROUP BY subscription_id
),

frozen AS (
    SELECT DISTINCT s.subscription_id
    FROM work.frozen_services AS f
    JOIN work.billable_services AS s ON s.service_id = f.service_id
)

SELECT
    c.subscription_id,
    a.account_id,
    c.state,
    c.since,
    :as_of AS as_of,
    :bill_run_id AS bill_run_id
FROM current_state AS c
JOIN (SELECT DISTINCT subscription_id, account_id FROM work.billable_services) AS a
    ON a.subscription_id = c.subscription_id
LEFT JOIN frozen AS f ON f.subscription_id = c.subscription_id
LEFT JOIN work.ledger_subscription_states AS l ON l.subscription_id = c.subscription_id
WHERE f.subscription_id IS NULL
  AND (l.subscription_id IS NULL OR l.state <> c.state OR l.since IS DISTINCT FROM c.since)
