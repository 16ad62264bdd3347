-- One row per (subscription, change_billing_day action) of a subscription with anchors, with
-- its verdict and, when it takes effect, the day the new billing day takes over (changes_on,
-- domain.md §10): the first boundary on or after the action's date of the periods the new
-- day gives (day b' of months anchor_month + k * cycle_months, clamped; ISO weekday b' for
-- weekly cycles). The running period ends there; from there on periods follow the new day
-- (subscription_anchor_spans). It takes effect on an anniversary subscription
-- (`not_anniversary` otherwise), with a weekday 1-7 for a weekly cycle
-- (`billing_day_out_of_range`), unless a later change (in the order (effective_on,
-- recorded_at, action_id)) is dated before its changes_on: the later request replaces a
-- change still pending (`billing_day_change_superseded`). A service-level action changes its
-- subscription's billing day like a subscription-level one.
--
-- layer: expected
-- grain: subscription_id, action_id
WITH requests AS (
    SELECT
        subscription_id,
        action_id,
        ANY_VALUE(requested_on) AS effective_on,
        ANY_VALUE(recorded_at) AS recorded_at,
        ANY_VALUE(new_billing_day) AS new_billing_day
    FROM work.requested_actions
    WHERE action = 'change_billing_day'
    GROUP BY subscription_id, action_id
),

placed AS (
    SELECT
        r.*,
        CASE
            WHEN a.billing_method <> 'anniversary' THEN 'not_anniversary'
            WHEN a.cycle_months = 0 AND r.new_billing_day > 7 THEN 'billing_day_out_of_range'
        END AS static_reason,
        a.cycle_months,
        a.anchor_month
    FROM requests AS r
    JOIN work.subscription_anchors AS a ON a.subscription_id = r.subscription_id
),

dated AS (
    SELECT
        p.*,
        CASE WHEN p.static_reason IS NULL THEN PERIOD_START(
            PERIOD_OF(p.effective_on - 1, p.cycle_months, p.anchor_month, p.new_billing_day) + 1,
            p.cycle_months, p.anchor_month, p.new_billing_day
        ) END AS next_boundary
    FROM placed AS p
),

-- among the valid changes, the next one in order is dated on or after this one; when it is
-- dated before this one's changes_on, this one never takes effect
ordered AS (
    SELECT
        d.*,
        CASE WHEN d.static_reason IS NULL THEN LEAD(d.effective_on) OVER (
            PARTITION BY d.subscription_id, d.static_reason IS NULL
            ORDER BY d.effective_on, d.recorded_at, d.action_id
        ) END AS next_effective_on
    FROM dated AS d
)

SELECT
    subscription_id,
    action_id,
    effective_on,
    recorded_at,
    new_billing_day,
    reason IS NULL AS took_effect,
    reason,
    CASE WHEN reason IS NULL THEN next_boundary END AS changes_on
FROM (
    SELECT
        o.*,
        COALESCE(
            o.static_reason,
            CASE WHEN o.next_effective_on < o.next_boundary
                THEN 'billing_day_change_superseded' END
        ) AS reason
    FROM ordered AS o
) AS judged
