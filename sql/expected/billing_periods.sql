-- One row per (subscription, billing period) that the run may have to value: from the period
-- holding the first billable day (for a subscription that is only due, the period holding its
-- valued_from date, see run_scope) up to the period holding the billing horizon (pre-bill:
-- horizon + bill_days_before; post-bill: the horizon, whose period is not due until it ends),
-- or the last period already billed (billed_through) or billed in advance by a bill_in_advance
-- dated by the horizon (advance_billings) if later. The end of the last period is
-- when the next one falls due (subscription_wake_dates). Boundaries come from the integer
-- period index k (PERIOD_OF, PERIOD_START: never by adding an interval to a clamped date,
-- domain §1).
--
-- layer: expected
-- grain: subscription_id, period_index
WITH points AS (
    SELECT subscription_id, MIN(seg_start) AS day, TRUE AS is_first
    FROM work.billable_segments
    GROUP BY subscription_id
    UNION ALL
    SELECT subscription_id, valued_from AS day, TRUE AS is_first
    FROM work.run_scope
    WHERE valued_from IS NOT NULL
    UNION ALL
    SELECT
        subscription_id,
        CASE WHEN billing_model = 'pre' THEN :horizon + bill_days_before ELSE :horizon END AS day,
        FALSE AS is_first
    FROM work.subscription_anchors
    UNION ALL
    SELECT subscription_id, billed_through AS day, FALSE AS is_first
    FROM work.billed_through
    UNION ALL
    SELECT subscription_id, advance_to - 1 AS day, FALSE AS is_first
    FROM work.advance_billings
    WHERE took_effect AND effective_on <= :horizon
),

indexed AS (
    SELECT
        p.subscription_id,
        p.is_first,
        PERIOD_OF(p.day, a.cycle_months, a.anchor_month, a.billing_day) AS k
    FROM points AS p
    JOIN work.subscription_anchors AS a ON a.subscription_id = p.subscription_id
),

ranges AS (
    SELECT
        subscription_id,
        MAX(CASE WHEN is_first THEN k END) AS k_first,
        MAX(CASE WHEN NOT is_first THEN k END) AS k_last
    FROM indexed
    GROUP BY subscription_id
)

SELECT
    a.subscription_id,
    a.billing_model,
    a.bill_days_before,
    g.k AS period_index,
    PERIOD_START(g.k, a.cycle_months, a.anchor_month, a.billing_day) AS cycle_start,
    PERIOD_START(g.k + 1, a.cycle_months, a.anchor_month, a.billing_day) AS cycle_end
FROM ranges AS r
JOIN work.subscription_anchors AS a ON a.subscription_id = r.subscription_id
CROSS JOIN UNNEST(GENERATE_SERIES(r.k_first, r.k_last)) AS g(k)
WHERE r.k_first IS NOT NULL AND r.k_first <= r.k_last
