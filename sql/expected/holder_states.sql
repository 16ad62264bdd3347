-- One row per subscription and per account (holder_kind `subscription` or `subscriber`) of
-- the run's scope with a service state by :as_of: its state as of :as_of and the first day of
-- the current run of that state (domain.md §4): active when one of its services is effective
-- or paused, churned when every one is cancelled or regretted, otherwise inactive. Read over
-- the services it has by each date (service_state_spans). An account's state is read only
-- when every subscription of it is in the run's scope: run_scope brings them in together
-- whenever one of them can change it; otherwise it stays as published.
--
-- layer: expected
-- grain: holder_kind, holder_id
WITH runs AS (
    SELECT
        s.subscription_id,
        s.account_id,
        p.run_start,
        p.run_end,
        CASE WHEN p.state IN ('effective', 'paused') THEN 1 ELSE 0 END AS active,
        CASE WHEN p.state IN ('cancelled', 'regretted') THEN 1 ELSE 0 END AS final
    FROM work.service_state_spans AS p
    JOIN work.billable_services AS s ON s.service_id = p.service_id
    WHERE p.run_start <= :as_of
),

-- the accounts all of whose subscriptions the run computes, and whether they have only one
-- (whose state is then the subscriber's too: it is taken from it, not computed again)
whole_accounts AS (
    SELECT s.account_id, COUNT(*) = 1 AS single
    FROM work.src_subscriptions AS s
    LEFT JOIN work.run_scope AS r ON r.subscription_id = s.subscription_id
    WHERE s.account_id IN (SELECT account_id FROM work.billable_services)
    GROUP BY s.account_id
    HAVING COUNT(*) = COUNT(r.subscription_id)
),

held AS (
    SELECT 'subscription' AS holder_kind, subscription_id AS holder_id, account_id, run_start,
           run_end, active, final
    FROM runs
    UNION ALL
    SELECT 'subscriber', account_id, account_id, run_start, run_end, active, final
    FROM runs
    WHERE account_id IN (SELECT account_id FROM whole_accounts WHERE NOT single)
),

-- each run of a service's states adds to its holder's counts on its first day and takes away
-- on the day after its last: services that exist, that are active (effective or paused) and
-- that are final (cancelled or regretted); a running sum gives the counts on every date a
-- count changes
deltas AS (
    SELECT holder_kind, holder_id, run_start AS on_date, active, final, 1 AS existing
    FROM held
    UNION ALL
    SELECT holder_kind, holder_id, run_end, -active, -final, -1
    FROM held
    WHERE run_end <= :as_of
),

states_on AS (
    SELECT
        holder_kind,
        holder_id,
        on_date,
        CASE
            WHEN SUM(SUM(active)) OVER w > 0 THEN 'active'
            WHEN SUM(SUM(final)) OVER w = SUM(SUM(existing)) OVER w THEN 'churned'
            ELSE 'inactive'
        END AS state
    FROM deltas
    GROUP BY holder_kind, holder_id, on_date
    WINDOW w AS (PARTITION BY holder_kind, holder_id ORDER BY on_date
                 ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
),

changes AS (
    SELECT
        *,
        LAG(state) OVER (PARTITION BY holder_kind, holder_id ORDER BY on_date)
            IS DISTINCT FROM state AS starts_run
    FROM states_on
),

current_state AS (
    SELECT
        holder_kind,
        holder_id,
        ARG_MAX(state, on_date) AS state,
        MAX(CASE WHEN starts_run THEN on_date END) AS since
    FROM changes
    GROUP BY holder_kind, holder_id
),

accounts AS (
    SELECT DISTINCT holder_kind, holder_id, account_id FROM held
),

held_states AS (
    SELECT
        c.holder_kind,
        c.holder_id,
        a.account_id,
        c.state,
        c.since
    FROM current_state AS c
    JOIN accounts AS a ON a.holder_kind = c.holder_kind AND a.holder_id = c.holder_id
)

SELECT holder_kind, holder_id, account_id, state, since
FROM held_states
UNION ALL
SELECT 'subscriber', h.account_id, h.account_id, h.state, h.since
FROM held_states AS h
JOIN whole_accounts AS w ON w.account_id = h.account_id
WHERE h.holder_kind = 'subscription' AND w.single
