-- One row per service that was ever activated: its first activation, the trial that follows
-- it (trial_days of the price term in force then: effective but not billable) and, for a
-- termed period that does not renew (auto_renew = false), the day the service expires:
-- termed_cycles cycles after its first billable day, counted on that day's day of month
-- (clamped to short months) or by whole weeks (domain.md §6).
WITH first_activation AS (
    SELECT
        o.service_id,
        MIN(o.effective_on) AS first_activated_on,
        ARG_MIN(o.price_term_id, o.seq) AS price_term_id
    FROM work.int_service_action_outcomes AS o
    WHERE o.took_effect AND o.action = 'activate'
    GROUP BY o.service_id
),

versioned AS (
    SELECT f.service_id, f.first_activated_on, v.trial_days, v.termed_cycles, v.auto_renew
    FROM first_activation AS f
    JOIN work.stg_price_versions AS v
        ON v.price_term_id = f.price_term_id AND v.covers_from <= f.first_activated_on
       AND (v.valid_to IS NULL OR f.first_activated_on < v.valid_to)
),

trial AS (
    SELECT
        v.service_id,
        v.first_activated_on,
        v.first_activated_on + v.trial_days AS trial_end,
        v.termed_cycles,
        v.auto_renew,
        s.billing_cycle,
        CASE s.billing_cycle
            WHEN 'month' THEN 1 WHEN 'quarter' THEN 3 WHEN 'half_year' THEN 6
            WHEN 'year' THEN 12 ELSE 0
        END AS cycle_months
    FROM versioned AS v
    JOIN work.int_billable_services AS s ON s.service_id = v.service_id
),

term_month AS (
    SELECT
        *,
        YEAR(trial_end) * 12 + MONTH(trial_end) - 1 + termed_cycles * cycle_months AS end_month
    FROM trial
)

SELECT
    service_id,
    first_activated_on,
    trial_end,
    CASE
        WHEN auto_renew OR termed_cycles IS NULL THEN NULL
        WHEN cycle_months = 0 THEN trial_end + 7 * termed_cycles
        ELSE MAKE_DATE(
            CAST(end_month // 12 AS INTEGER),
            CAST(end_month % 12 + 1 AS INTEGER),
            LEAST(
                DAY(trial_end),
                DAY(LAST_DAY(MAKE_DATE(
                    CAST(end_month // 12 AS INTEGER), CAST(end_month % 12 + 1 AS INTEGER), 1)))
            )
        )
    END AS term_end
FROM term_month
