-- One row per (subscription, billing period) that the run may have to value: from the period
-- holding the first billable day (for a subscription that is only due, the period holding its
-- valued_from date, see int_run_scope) up to the period holding the billing horizon (pre-bill:
-- as_of + bill_days_before; post-bill: as_of, whose period is not due until it ends), or the
-- last period already published if later. The end of the last period is when the next one
-- falls due (int_subscription_wake_dates). Boundaries come from an integer period index k:
-- month-based periods start on day b (clamped to the month's length) of month
-- anchor_month + k * cycle_months, weekly ones on the ISO weekday b; never by adding an
-- interval to a clamped date (domain §1).
WITH points AS (
    SELECT subscription_id, 'first' AS point, MIN(seg_start) AS day
    FROM work.int_billable_segments
    GROUP BY subscription_id
    UNION ALL
    SELECT
        subscription_id,
        'horizon' AS point,
        CASE WHEN billing_model = 'pre' THEN :as_of + bill_days_before ELSE :as_of END AS day
    FROM work.int_subscription_anchors
    UNION ALL
    SELECT subscription_id, 'published' AS point, MAX(cycle_start) AS day
    FROM work.int_published_charge_keys
    GROUP BY subscription_id
    UNION ALL
    SELECT subscription_id, 'valued_from' AS point, valued_from AS day
    FROM work.int_run_scope
    WHERE valued_from IS NOT NULL
),

located AS (
    SELECT
        p.subscription_id,
        p.point,
        a.billing_model,
        a.billing_day,
        a.cycle_months,
        a.anchor_month,
        p.day,
        CASE
            WHEN a.cycle_months = 0
                THEN (DATE_DIFF('day', DATE '1970-01-05', p.day) - (a.billing_day - 1)) // 7
            ELSE (YEAR(p.day) * 12 + MONTH(p.day) - 1 - a.anchor_month) // a.cycle_months
        END AS k0
    FROM points AS p
    JOIN work.int_subscription_anchors AS a ON a.subscription_id = p.subscription_id
),

indexed AS (
    SELECT
        subscription_id,
        point,
        billing_model,
        k0 - CASE
            WHEN cycle_months = 0 THEN 0
            WHEN day < MAKE_DATE(
                CAST((anchor_month + k0 * cycle_months) // 12 AS INTEGER),
                CAST((anchor_month + k0 * cycle_months) % 12 + 1 AS INTEGER),
                LEAST(billing_day, DAY(LAST_DAY(MAKE_DATE(
                    CAST((anchor_month + k0 * cycle_months) // 12 AS INTEGER),
                    CAST((anchor_month + k0 * cycle_months) % 12 + 1 AS INTEGER), 1))))
            ) THEN 1
            ELSE 0
        END AS k
    FROM located
),

ranges AS (
    SELECT
        subscription_id,
        GREATEST(
            MAX(CASE WHEN point = 'first' THEN k END),
            MAX(CASE WHEN point = 'valued_from' THEN k END)
        ) AS k_first,
        GREATEST(
            MAX(CASE WHEN point = 'horizon' AND billing_model = 'pre' THEN k END),
            MAX(CASE WHEN point = 'horizon' AND billing_model = 'post' THEN k END),
            MAX(CASE WHEN point = 'published' THEN k END)
        ) AS k_last
    FROM indexed
    GROUP BY subscription_id
),

numbered AS (
    SELECT
        a.subscription_id, a.billing_model, a.bill_days_before, a.billing_day,
        a.cycle_months, a.anchor_month, g.k,
        a.anchor_month + g.k * a.cycle_months AS m_start,
        a.anchor_month + (g.k + 1) * a.cycle_months AS m_end
    FROM ranges AS r
    JOIN work.int_subscription_anchors AS a ON a.subscription_id = r.subscription_id
    CROSS JOIN UNNEST(GENERATE_SERIES(r.k_first, r.k_last)) AS g(k)
    WHERE r.k_first IS NOT NULL AND r.k_first <= r.k_last
)

SELECT
    subscription_id,
    billing_model,
    bill_days_before,
    k AS period_index,
    CASE
        WHEN cycle_months = 0 THEN DATE '1970-01-05' + CAST(billing_day - 1 + 7 * k AS INTEGER)
        ELSE MAKE_DATE(
            CAST(m_start // 12 AS INTEGER), CAST(m_start % 12 + 1 AS INTEGER),
            LEAST(billing_day, DAY(LAST_DAY(MAKE_DATE(
                CAST(m_start // 12 AS INTEGER), CAST(m_start % 12 + 1 AS INTEGER), 1)))))
    END AS cycle_start,
    CASE
        WHEN cycle_months = 0 THEN DATE '1970-01-05' + CAST(billing_day + 6 + 7 * k AS INTEGER)
        ELSE MAKE_DATE(
            CAST(m_end // 12 AS INTEGER), CAST(m_end % 12 + 1 AS INTEGER),
            LEAST(billing_day, DAY(LAST_DAY(MAKE_DATE(
                CAST(m_end // 12 AS INTEGER), CAST(m_end % 12 + 1 AS INTEGER), 1)))))
    END AS cycle_end
FROM numbered
