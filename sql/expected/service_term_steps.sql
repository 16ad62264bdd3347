-- One row per (service, step of its chain of termed periods) (domain.md §6): step 0 is the
-- first termed period, from the service's first billable day (the end of its trial) for
-- termed_cycles cycles under the auto_renew of the price-term version at first activation;
-- each later step is one of its renew, set_auto_renew or extend_term actions, in the order
-- the state machine applies them, with its verdict and the chain as it leaves it. A chain runs
-- from `origin`; its term k ends CYCLES_AFTER(origin, k * termed_cycles) + ext_days. At a
-- term's end the service renews when auto_renew is true (term k + 1 follows, no gap), else it
-- expires (expired_on). An action first brings the chain to its date, then is judged:
--   * set_auto_renew: sets auto_renew for the end of the running term and later ones;
--   * extend_term: postpones the running term's end, and every later one, by `days`;
--   * renew: on an expired service, starts a new chain (term 1) from its date.
-- Each needs a termed service (not_termed) that the state machine leaves effective or paused
-- that day (invalid_transition:<state>); set_auto_renew and extend_term one not expired
-- (invalid_transition:not_effective), renew one expired (not_expired). The walk is a
-- recursive CTE, one step per term action ordinal, all services at once.
--
-- layer: expected
-- grain: service_id, step
WITH RECURSIVE chains AS (
    SELECT
        t.service_id,
        t.trial_end AS origin,
        f.termed_cycles,
        f.auto_renew,
        s.cycle_months
    FROM work.service_terms AS t
    JOIN work.service_first_activations AS f ON f.service_id = t.service_id
    JOIN work.replayed_services AS s ON s.service_id = t.service_id
    WHERE f.termed_cycles IS NOT NULL
),

term_actions AS (
    SELECT
        a.service_id,
        a.action_id,
        a.action,
        a.effective_on,
        a.subscription_level,
        a.days,
        a.auto_renew,
        o.state_before,
        ROW_NUMBER() OVER (PARTITION BY a.service_id ORDER BY a.seq) AS step
    FROM work.service_actions AS a
    JOIN work.service_action_outcomes AS o ON o.service_id = a.service_id AND o.seq = a.seq
    WHERE a.action IN ('renew', 'set_auto_renew', 'extend_term')
),

walk AS (
    SELECT
        c.service_id,
        CAST(0 AS BIGINT) AS step,
        CAST(NULL AS VARCHAR) AS action_id,
        CAST(NULL AS VARCHAR) AS action,
        c.origin AS effective_on,
        FALSE AS subscription_level,
        TRUE AS took_effect,
        CAST(NULL AS VARCHAR) AS reason,
        c.origin,
        c.termed_cycles,
        c.cycle_months,
        0 AS ext_days,
        CAST(1 AS BIGINT) AS term_no,
        c.auto_renew,
        CAST(NULL AS DATE) AS expired_on
    FROM chains AS c

    UNION ALL

    SELECT
        j.service_id,
        j.step,
        j.action_id,
        j.action,
        j.effective_on,
        j.subscription_level,
        j.reason IS NULL AS took_effect,
        j.reason,
        CASE WHEN j.reason IS NULL AND j.action = 'renew' THEN j.effective_on
             ELSE j.origin END AS origin,
        j.termed_cycles,
        j.cycle_months,
        CASE
            WHEN j.reason IS NULL AND j.action = 'renew' THEN 0
            WHEN j.reason IS NULL AND j.action = 'extend_term' THEN j.ext_days + j.days
            ELSE j.ext_days
        END AS ext_days,
        CASE WHEN j.reason IS NULL AND j.action = 'renew' THEN 1 ELSE j.term_no END AS term_no,
        CASE WHEN j.reason IS NULL AND j.action = 'set_auto_renew' THEN j.new_auto_renew
             ELSE j.auto_renew END AS auto_renew,
        CASE WHEN j.reason IS NULL AND j.action = 'renew' THEN NULL
             ELSE j.expired_on END AS expired_on
    FROM (
        SELECT
            m.*,
            CASE
                WHEN m.state_before IN ('draft', 'not_effective', 'cancelled', 'regretted')
                    THEN 'invalid_transition:' || m.state_before
                WHEN m.action = 'renew' AND m.expired_on IS NULL THEN 'not_expired'
                WHEN m.action <> 'renew' AND m.expired_on IS NOT NULL
                    THEN 'invalid_transition:not_effective'
            END AS reason
        FROM (
            -- the chain brought to the action's date: an expired one stays expired; a term
            -- that ended before it renewed (to the term running that day) or expired
            SELECT
                k.service_id, k.step, k.action_id, k.action, k.effective_on,
                k.subscription_level, k.days, k.new_auto_renew, k.state_before,
                k.origin, k.termed_cycles, k.cycle_months, k.ext_days, k.auto_renew,
                CASE
                    WHEN k.expired_on IS NOT NULL OR k.effective_on < k.term_end
                         OR NOT k.auto_renew THEN k.term_no
                    WHEN k.cycle_months = 0
                        THEN DATE_DIFF('day', k.origin, k.effective_on - k.ext_days)
                            // (7 * k.termed_cycles) + 1
                    ELSE k.months_on // NULLIF(k.termed_cycles * k.cycle_months, 0)
                        + CASE
                            WHEN CYCLES_AFTER(
                                k.origin,
                                k.months_on // NULLIF(k.termed_cycles * k.cycle_months, 0)
                                * k.termed_cycles,
                                k.cycle_months
                            ) > k.effective_on - k.ext_days THEN 0
                            ELSE 1
                        END
                END AS term_no,
                CASE
                    WHEN k.expired_on IS NOT NULL THEN k.expired_on
                    WHEN k.effective_on >= k.term_end AND NOT k.auto_renew THEN k.term_end
                END AS expired_on
            FROM (
                SELECT
                    a.service_id,
                    a.step,
                    a.action_id,
                    a.action,
                    a.effective_on,
                    a.subscription_level,
                    a.days,
                    a.auto_renew AS new_auto_renew,
                    a.state_before,
                    w.origin,
                    w.termed_cycles,
                    w.cycle_months,
                    w.ext_days,
                    w.term_no,
                    w.auto_renew,
                    w.expired_on,
                    CYCLES_AFTER(w.origin, w.term_no * w.termed_cycles, w.cycle_months)
                        + w.ext_days AS term_end,
                    MONTH_INDEX(a.effective_on - w.ext_days) - MONTH_INDEX(w.origin)
                        AS months_on
                FROM walk AS w
                JOIN term_actions AS a ON a.service_id = w.service_id AND a.step = w.step + 1
            ) AS k
        ) AS m
    ) AS j
)

SELECT
    service_id, step, action_id, action, effective_on, subscription_level, took_effect,
    reason, origin, termed_cycles, cycle_months, ext_days, term_no, auto_renew, expired_on
FROM walk
UNION ALL
-- the term actions of a service with no chain: never activated, or not termed
SELECT
    a.service_id, a.step, a.action_id, a.action, a.effective_on, a.subscription_level,
    FALSE AS took_effect,
    CASE WHEN a.state_before = 'draft' THEN 'invalid_transition:draft'
         ELSE 'not_termed' END AS reason,
    NULL AS origin, NULL AS termed_cycles, NULL AS cycle_months, NULL AS ext_days,
    NULL AS term_no, NULL AS auto_renew, NULL AS expired_on
FROM term_actions AS a
WHERE a.service_id NOT IN (SELECT service_id FROM chains)
