-- One row per billable subscription with a visible activation of a service charged per cycle:
-- what anchors its periods (domain.md §1). One-time and no-billing services neither anchor
-- nor have periods, so a subscription with billing_cycle `none` (which holds only those) has
-- no row. F, the first billable date, is that of the visible activation recorded first
-- (smallest recorded_at, action_id; activations dated before their service's ordered_on are
-- void and anchor nothing): its date, or the end of its trial when it is the service's first
-- activation. F is read from the actions as requested, not from the state machine's outcome,
-- so that it never moves when a later-recorded action changes which activation takes effect
-- (a backdated activation recorded later is billed inside the anchored periods). The trial is
-- the one trial_grants gives the service. b is the stated billing day, else F's day of month (ISO
-- weekday for weekly) under anniversary billing, else the default_billing_day /
-- default_billing_weekday rule valid on F. Month-based boundaries fall on day b of months
-- anchor_month + k * cycle_months (PERIOD_START).
--
-- layer: expected
-- grain: subscription_id
-- state: subscription_id
WITH activations AS (
    SELECT a.service_id, a.subscription_id, a.action_id, a.requested_on, a.recorded_at,
           a.req_seq
    FROM work.requested_actions AS a
    JOIN work.replayed_services AS s ON s.service_id = a.service_id
    WHERE a.action = 'activate' AND a.requested_on >= a.ordered_on
      AND s.charging = 'per_cycle'
),

first_billable AS (
    SELECT
        a.subscription_id,
        ARG_MIN(
            {'billable_from': CASE
                WHEN a.requested_on = t.first_activated_on
                    THEN a.requested_on + t.trial_days
                ELSE a.requested_on
            END},
            {'recorded_at': a.recorded_at, 'action_id': a.action_id, 'service_id': a.service_id}
        ).billable_from AS billable_from
    FROM activations AS a
    JOIN work.trial_grants AS t ON t.service_id = a.service_id
    GROUP BY a.subscription_id
),

subscriptions AS (
    SELECT DISTINCT
        subscription_id, account_id, currency, billing_cycle, cycle_months, billing_model,
        billing_method, billing_day, bill_days_before, payment_method_id
    FROM work.replayed_services
    WHERE charging = 'per_cycle'
),

defaults AS (
    SELECT key, CAST(value AS INTEGER) AS value, valid_from, valid_to
    FROM work.src_business_rules
    WHERE key IN ('default_billing_day', 'default_billing_weekday')
),

anchored AS (
    SELECT
        s.*,
        f.billable_from AS first_billable_on,
        COALESCE(
            s.billing_day,
            CASE
                WHEN s.billing_method = 'anniversary' AND s.billing_cycle = 'week'
                    THEN DATE_DIFF('day', DATE '1970-01-05', f.billable_from) % 7 + 1
                WHEN s.billing_method = 'anniversary' THEN DAY(f.billable_from)
                WHEN s.billing_cycle = 'week' THEN dw.value
                ELSE dd.value
            END
        ) AS billing_day_used
    FROM subscriptions AS s
    JOIN first_billable AS f ON f.subscription_id = s.subscription_id
    LEFT JOIN defaults AS dd
        ON dd.key = 'default_billing_day' AND VALID_ON(f.billable_from, dd.valid_from, dd.valid_to)
    LEFT JOIN defaults AS dw
        ON dw.key = 'default_billing_weekday'
       AND VALID_ON(f.billable_from, dw.valid_from, dw.valid_to)
)

SELECT
    a.subscription_id,
    a.account_id,
    a.currency,
    a.billing_cycle,
    a.billing_model,
    a.billing_method,
    a.bill_days_before,
    a.payment_method_id,
    a.first_billable_on,
    a.billing_day_used AS billing_day,
    a.cycle_months,
    CASE
        WHEN a.billing_method = 'anniversary' AND a.cycle_months > 0
            THEN MONTH_INDEX(a.first_billable_on) % a.cycle_months
        ELSE 0
    END AS anchor_month,
    c.minor_factor
FROM anchored AS a
JOIN work.src_currencies AS c ON c.currency = a.currency
