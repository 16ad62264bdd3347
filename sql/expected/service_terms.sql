-- One row per service that was ever activated: its first activation, the trial that follows
-- it (trial_days of the price term in force then: effective but not billable) and, for a
-- termed period that does not renew (auto_renew = false), the day the service expires:
-- termed_cycles cycles after its first billable day, counted on that day's day of month
-- (clamped to short months) or by whole weeks (domain.md §6).
--
-- layer: expected
-- grain: service_id
WITH first_activation AS (
    SELECT
        o.service_id,
        MIN(o.effective_on) AS first_activated_on,
        ARG_MIN(o.price_term_id, o.seq) AS price_term_id
    FROM work.service_action_outcomes AS o
    WHERE o.took_effect AND o.action = 'activate'
    GROUP BY o.service_id
),

versioned AS (
    SELECT f.service_id, f.first_activated_on, v.trial_days, v.termed_cycles, v.auto_renew
    FROM first_activation AS f
    JOIN work.src_price_versions AS v
        ON v.price_term_id = f.price_term_id
       AND VALID_ON(f.first_activated_on, v.covers_from, v.valid_to)
),

trial AS (
    SELECT
        v.service_id,
        v.first_activated_on,
        v.first_activated_on + v.trial_days AS trial_end,
        v.termed_cycles,
        v.auto_renew,
        s.cycle_months
    FROM versioned AS v
    JOIN work.billable_services AS s ON s.service_id = v.service_id
)

SELECT
    service_id,
    first_activated_on,
    trial_end,
    CASE
        WHEN auto_renew OR termed_cycles IS NULL THEN NULL
        WHEN cycle_months = 0 THEN trial_end + 7 * termed_cycles
        ELSE MONTH_DAY(MONTH_INDEX(trial_end) + termed_cycles * cycle_months, DAY(trial_end))
    END AS term_end
FROM trial
