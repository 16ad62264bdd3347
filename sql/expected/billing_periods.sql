-- One row per (subscription, billing period) that the run may have to value: from the period
-- holding the first billable day (for a subscription that is only due, the period holding its
-- valued_from date, see run_scope) up to the period holding the billing horizon (pre-bill:
-- horizon + bill_days_before; post-bill: the horizon, whose period is not due until it ends),
-- or the last period already billed (billed_through) or billed in advance by a bill_in_advance
-- dated by the horizon (advance_billings) if later. The end of the last period is
-- when the next one falls due (subscription_wake_dates). Boundaries come from the integer
-- period index k (PERIOD_OF, PERIOD_START: never by adding an interval to a clamped date,
-- domain §1) of the billing day in force (subscription_anchor_spans): a period that a
-- change_billing_day cuts ends on the change's day and keeps the days of the period it was
-- (period_days, the denominator of its charge: domain.md §10).
--
-- layer: expected
-- grain: subscription_id, cycle_start
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

bounds AS (
    SELECT
        subscription_id,
        MAX(CASE WHEN is_first THEN day END) AS first_day,
        MAX(CASE WHEN NOT is_first THEN day END) AS last_day
    FROM points
    GROUP BY subscription_id
),

-- per span of one billing day, the indexes of its periods holding the first and last days
-- the run values inside it
ranges AS (
    SELECT
        s.subscription_id,
        s.span_to,
        s.billing_day,
        s.cycle_months,
        s.anchor_month,
        PERIOD_OF(
            CASE WHEN s.span_from > b.first_day THEN s.span_from ELSE b.first_day END,
            s.cycle_months, s.anchor_month, s.billing_day
        ) AS k_first,
        PERIOD_OF(
            CASE WHEN s.span_to <= b.last_day THEN s.span_to - 1 ELSE b.last_day END,
            s.cycle_months, s.anchor_month, s.billing_day
        ) AS k_last
    FROM bounds AS b
    JOIN work.subscription_anchor_spans AS s ON s.subscription_id = b.subscription_id
    WHERE b.first_day IS NOT NULL AND b.last_day IS NOT NULL
      AND (s.span_to IS NULL OR b.first_day < s.span_to)
      AND (s.span_from IS NULL OR b.last_day >= s.span_from)
),

periods AS (
    SELECT
        r.subscription_id,
        r.span_to,
        PERIOD_START(g.k, r.cycle_months, r.anchor_month, r.billing_day) AS cycle_start,
        PERIOD_START(g.k + 1, r.cycle_months, r.anchor_month, r.billing_day) AS natural_end
    FROM ranges AS r
    CROSS JOIN UNNEST(GENERATE_SERIES(r.k_first, r.k_last)) AS g(k)
    WHERE r.k_first <= r.k_last
)

SELECT
    p.subscription_id,
    a.billing_model,
    a.bill_days_before,
    p.cycle_start,
    CASE WHEN p.span_to < p.natural_end THEN p.span_to ELSE p.natural_end END AS cycle_end,
    DATE_DIFF('day', p.cycle_start, p.natural_end) AS period_days
FROM periods AS p
JOIN work.subscription_anchors AS a ON a.subscription_id = p.subscription_id
