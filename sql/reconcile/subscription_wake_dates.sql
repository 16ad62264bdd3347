-- One row per subscription in the run's scope that has something to come after :as_of: the
-- first later date on which a run could publish something new for it with no new input (its
-- checkpoint's wake_on, see run_scope). Waking early only costs time; waking late would
-- miss a charge, so every as-of-dependent rule of the engine contributes a date here:
--   * the next period falls due: the periods valued run to the one holding the billing horizon
--     (billing_periods), so the next starts at their last end; pre-bill takes it
--     bill_days_before earlier, post-bill when it ends, which is that same last end;
--   * a period valued but not yet due starts: a pre-billed key is due from the later of its
--     billing date and its first billable day (expected_charges); a period all of whose keys
--     are due already (billed in advance: advance_billings) adds no date;
--   * a billable span starts (first billable day of a pre-billed key, end of a trial);
--   * a state changes (service_states, action_rejections): any span boundary (a term's
--     expiry cuts the timeline) or action date after as_of;
--   * a frozen service: every run, so that it is reported while it lasts.
-- state_wake_on is the first of the dates on which a service state can change (the last two
-- kinds): only then can the account's subscriber state change with no new input, so only
-- then are the account's other subscriptions computed with it (run_scope, reason account).
--
-- layer: reconcile
-- grain: subscription_id
WITH settled_periods AS (
    SELECT subscription_id, cycle_start
    FROM work.expected_charges
    GROUP BY subscription_id, cycle_start
    HAVING BOOL_AND(is_due)
),

dates AS (
    SELECT
        subscription_id,
        MAX(cycle_end) - CASE WHEN billing_model = 'pre' THEN bill_days_before ELSE 0 END
            AS on_date,
        FALSE AS is_state
    FROM work.billing_periods
    GROUP BY subscription_id, billing_model, bill_days_before
    UNION ALL
    SELECT p.subscription_id, p.cycle_start AS on_date, FALSE
    FROM work.billing_periods AS p
    LEFT JOIN settled_periods AS s
        ON s.subscription_id = p.subscription_id AND s.cycle_start = p.cycle_start
    WHERE s.subscription_id IS NULL
    UNION ALL
    SELECT subscription_id, seg_start AS on_date, FALSE
    FROM work.billable_segments
    UNION ALL
    SELECT s.subscription_id, t.seg_start AS on_date, TRUE
    FROM work.service_timeline AS t
    JOIN work.billable_services AS s ON s.service_id = t.service_id
    UNION ALL
    SELECT s.subscription_id, t.seg_end AS on_date, TRUE
    FROM work.service_timeline AS t
    JOIN work.billable_services AS s ON s.service_id = t.service_id
    UNION ALL
    SELECT subscription_id, effective_on AS on_date, TRUE
    FROM work.service_action_dates
    UNION ALL
    SELECT s.subscription_id, :as_of + 1 AS on_date, TRUE
    FROM work.frozen_services AS f
    JOIN (
        SELECT service_id, subscription_id FROM work.billable_services
        UNION
        SELECT service_id, subscription_id FROM work.ledger_charge_keys
    ) AS s ON s.service_id = f.service_id
)

SELECT
    subscription_id,
    MIN(on_date) AS wake_on,
    MIN(CASE WHEN is_state THEN on_date END) AS state_wake_on
FROM dates
WHERE on_date > :as_of
GROUP BY subscription_id
