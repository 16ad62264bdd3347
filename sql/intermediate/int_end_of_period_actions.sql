-- One row per (service, action) that a timing rule moves to the end of the running period
-- (domain.md §5), with the date it applies instead of the requested one:
--   * a downgrade `change` when `downgrade_timing` valid on its requested date is
--     `end_of_period`. A change is a downgrade when new amount x new quantity <= old amount x
--     old quantity, each at its price version valid on the requested date (the greatest
--     valid_from <= that date, else the earliest); upgrades are always immediate. The old
--     terms are the service's ordered terms as the changes requested before it leave them,
--     whether or not the state machine accepts those;
--   * a `cancel` when `cancel_out_of_contract` valid on its requested date is
--     `end_of_period`: the running period stays billed and nothing pre-billed is credited.
--     Contract periods come with the lifecycle issue; until then every cancel is out of
--     contract.
-- Another value of either rule is applied as `immediate` (bill_run_deferred reports it). The
-- action moves to the first period start of the subscription's anchors (int_subscription_anchors,
-- boundaries as in int_billing_periods) on or after the requested date; one requested on a
-- period start, or before the subscription has any activation, stays where it is.
WITH rules AS (
    SELECT key, value, valid_from, valid_to
    FROM work.stg_business_rules
    WHERE key IN ('downgrade_timing', 'cancel_out_of_contract')
),

candidates AS (
    SELECT a.service_id, a.subscription_id, a.action_id, a.action, a.requested_on, a.req_seq,
           a.new_price_term_id, a.new_quantity
    FROM work.int_requested_actions AS a
    JOIN rules AS r
        ON r.key = CASE a.action
            WHEN 'cancel' THEN 'cancel_out_of_contract' WHEN 'change' THEN 'downgrade_timing'
        END
       AND r.valid_from <= a.requested_on
       AND (r.valid_to IS NULL OR a.requested_on < r.valid_to)
    WHERE r.value = 'end_of_period'
),

prior_price_terms AS (
    SELECT c.action_id, c.service_id, ARG_MAX(p.new_price_term_id, p.req_seq) AS price_term_id
    FROM candidates AS c
    JOIN work.int_requested_actions AS p
        ON p.service_id = c.service_id AND p.req_seq < c.req_seq
    WHERE c.action = 'change' AND p.action = 'change' AND p.new_price_term_id IS NOT NULL
    GROUP BY c.action_id, c.service_id
),

prior_quantities AS (
    SELECT c.action_id, c.service_id, ARG_MAX(p.new_quantity, p.req_seq) AS quantity
    FROM candidates AS c
    JOIN work.int_requested_actions AS p
        ON p.service_id = c.service_id AND p.req_seq < c.req_seq
    WHERE c.action = 'change' AND p.action = 'change' AND p.new_quantity IS NOT NULL
    GROUP BY c.action_id, c.service_id
),

changes AS (
    SELECT
        c.*,
        COALESCE(pt.price_term_id, s.price_term_id) AS old_price_term_id,
        COALESCE(pq.quantity, s.quantity) AS old_quantity
    FROM candidates AS c
    JOIN work.int_billable_services AS s ON s.service_id = c.service_id
    LEFT JOIN prior_price_terms AS pt
        ON pt.action_id = c.action_id AND pt.service_id = c.service_id
    LEFT JOIN prior_quantities AS pq
        ON pq.action_id = c.action_id AND pq.service_id = c.service_id
    WHERE c.action = 'change'
),

moving AS (
    SELECT service_id, subscription_id, action_id, requested_on
    FROM candidates
    WHERE action = 'cancel'
    UNION ALL
    SELECT c.service_id, c.subscription_id, c.action_id, c.requested_on
    FROM changes AS c
    JOIN work.stg_price_versions AS old_v
        ON old_v.price_term_id = c.old_price_term_id AND old_v.covers_from <= c.requested_on
       AND (old_v.valid_to IS NULL OR c.requested_on < old_v.valid_to)
    JOIN work.stg_price_versions AS new_v
        ON new_v.price_term_id = COALESCE(c.new_price_term_id, c.old_price_term_id)
       AND new_v.covers_from <= c.requested_on
       AND (new_v.valid_to IS NULL OR c.requested_on < new_v.valid_to)
    WHERE new_v.amount * COALESCE(c.new_quantity, c.old_quantity)
          <= old_v.amount * c.old_quantity
),

-- k0: the period whose start month (week) holds the requested date, as int_billing_periods
-- locates it; the period start on or after the date is that of k0 or of k0 + 1
located AS (
    SELECT
        m.service_id, m.action_id, m.requested_on, a.cycle_months, a.billing_day,
        a.anchor_month,
        CASE
            WHEN a.cycle_months = 0 THEN
                (DATE_DIFF('day', DATE '1970-01-05', m.requested_on) - (a.billing_day - 1)) // 7
            ELSE (YEAR(m.requested_on) * 12 + MONTH(m.requested_on) - 1 - a.anchor_month)
                 // a.cycle_months
        END AS k0
    FROM moving AS m
    JOIN work.int_subscription_anchors AS a ON a.subscription_id = m.subscription_id
),

period_starts AS (
    SELECT
        l.service_id,
        l.action_id,
        l.requested_on,
        CASE
            WHEN l.cycle_months = 0
                THEN DATE '1970-01-05' + CAST(l.billing_day - 1 + 7 * g.k AS INTEGER)
            ELSE MAKE_DATE(
                CAST((l.anchor_month + g.k * l.cycle_months) // 12 AS INTEGER),
                CAST((l.anchor_month + g.k * l.cycle_months) % 12 + 1 AS INTEGER),
                LEAST(l.billing_day, DAY(LAST_DAY(MAKE_DATE(
                    CAST((l.anchor_month + g.k * l.cycle_months) // 12 AS INTEGER),
                    CAST((l.anchor_month + g.k * l.cycle_months) % 12 + 1 AS INTEGER), 1)))))
        END AS period_start
    FROM located AS l
    CROSS JOIN UNNEST(GENERATE_SERIES(l.k0, l.k0 + 1)) AS g(k)
)

SELECT service_id, action_id, MIN(period_start) AS applies_on
FROM period_starts
WHERE period_start >= requested_on
GROUP BY service_id, action_id, requested_on
HAVING MIN(period_start) > requested_on
