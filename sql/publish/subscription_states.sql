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
WITH runs AS (
    SELECT
        s.subscription_id,
        p.run_start,
        p.run_end,
        CASE WHEN p.state IN ('effective', 'paused') THEN 1 ELSE 0 END AS active,
        CASE WHEN p.state IN ('cancelled', 'regretted') THEN 1 ELSE 0 END AS final
    FROM work.service_state_spans AS p
    JOIN work.billable_services AS s ON s.service_id = p.service_id
    WHERE p.run_start <= :as_of
),

-- each run of a service's states adds to its subscription's counts on its first day and takes
-- away on the day after its last: services that exist, that are active (effective or
-- paused) and that are final (cancelled or regretted); a running sum gives the counts on
-- every date a count changes
deltas AS (
    SELECT subscription_id, run_start AS on_date, active, final, 1 AS existing
    FROM runs
    UNION ALL
    SELECT subscription_id, run_end, -active, -final, -1
    FROM runs
    WHERE run_end <= :as_of
),

states_on AS (
    SELECT
        subscription_id,
        on_date,
        CASE
            WHEN SUM(SUM(active)) OVER w > 0 THEN 'active'
            WHEN SUM(SUM(final)) OVER w = SUM(SUM(existing)) OVER w THEN 'churned'
            ELSE 'inactive'
        END AS state
    FROM deltas
    GROUP BY subscription_id, on_date
    WINDOW w AS (PARTITION BY subscription_id ORDER BY on_date
                 ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
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
