-- One row per (service, action) that a timing rule moves to the end of the running period
-- (domain.md §5), with the date it applies instead of the requested one:
--   * a downgrade `change` when `downgrade_timing` valid on its requested date is
--     `end_of_period`. A change is a downgrade when new amount x new quantity <= old amount x
--     old quantity, each at its price version valid on the requested date (the greatest
--     valid_from <= that date, else the earliest); upgrades are always immediate. The old
--     terms are the service's ordered terms as the changes requested before it leave them,
--     whether or not the state machine accepts those;
--   * a `cancel` outside the service's contract (service_contracts: requested before
--     contract_start or on or after contract_end, or no contract) when
--     `cancel_out_of_contract` valid on its requested date is `end_of_period`: the running
--     period stays billed and nothing pre-billed is credited;
--   * a `cancel` inside the contract when `cancel_in_contract` is `end_of_contract`: it
--     applies on contract_end (the service runs, and is billed, to the contract's end).
-- Another value of these rules is applied as `immediate` (bill_run_deferred reports it). An
-- end_of_period action moves to the first period start on or after the requested date under
-- the billing day in force then (subscription_anchor_spans, PERIOD_START; a
-- change_billing_day's day when it cuts that period short); one requested on a period start,
-- or before the subscription has any activation, stays where it is.
--
-- layer: expected
-- grain: service_id, action_id
WITH rules AS (
    SELECT key, value, valid_from, valid_to
    FROM work.src_business_rules
    WHERE key IN ('downgrade_timing', 'cancel_out_of_contract', 'cancel_in_contract')
),

timed AS (
    SELECT
        a.service_id, a.subscription_id, a.action_id, a.action, a.requested_on, a.req_seq,
        a.new_price_term_id, a.new_quantity, c.contract_end,
        COALESCE(a.requested_on >= c.contract_start AND a.requested_on < c.contract_end, FALSE)
            AS in_contract
    FROM work.requested_actions AS a
    LEFT JOIN work.service_contracts AS c ON c.service_id = a.service_id
    WHERE a.action IN ('cancel', 'change')
),

candidates AS (
    SELECT a.*, r.value AS timing
    FROM timed AS a
    JOIN rules AS r
        ON r.key = CASE
            WHEN a.action = 'change' THEN 'downgrade_timing'
            WHEN a.in_contract THEN 'cancel_in_contract'
            ELSE 'cancel_out_of_contract'
        END
       AND VALID_ON(a.requested_on, r.valid_from, r.valid_to)
    WHERE r.value = 'end_of_period' OR (r.value = 'end_of_contract' AND a.in_contract)
),

prior_price_terms AS (
    SELECT c.action_id, c.service_id, ARG_MAX(p.new_price_term_id, p.req_seq) AS price_term_id
    FROM candidates AS c
    JOIN work.requested_actions AS p
        ON p.service_id = c.service_id AND p.req_seq < c.req_seq
    WHERE c.action = 'change' AND p.action = 'change' AND p.new_price_term_id IS NOT NULL
    GROUP BY c.action_id, c.service_id
),

prior_quantities AS (
    SELECT c.action_id, c.service_id, ARG_MAX(p.new_quantity, p.req_seq) AS quantity
    FROM candidates AS c
    JOIN work.requested_actions AS p
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
    JOIN work.replayed_services AS s ON s.service_id = c.service_id
    LEFT JOIN prior_price_terms AS pt
        ON pt.action_id = c.action_id AND pt.service_id = c.service_id
    LEFT JOIN prior_quantities AS pq
        ON pq.action_id = c.action_id AND pq.service_id = c.service_id
    WHERE c.action = 'change'
),

moving AS (
    SELECT service_id, subscription_id, action_id, requested_on
    FROM candidates
    WHERE action = 'cancel' AND timing = 'end_of_period'
    UNION ALL
    SELECT c.service_id, c.subscription_id, c.action_id, c.requested_on
    FROM changes AS c
    JOIN work.src_price_versions AS old_v
        ON old_v.price_term_id = c.old_price_term_id
       AND VALID_ON(c.requested_on, old_v.covers_from, old_v.valid_to)
    JOIN work.src_price_versions AS new_v
        ON new_v.price_term_id = COALESCE(c.new_price_term_id, c.old_price_term_id)
       AND VALID_ON(c.requested_on, new_v.covers_from, new_v.valid_to)
    WHERE new_v.amount * COALESCE(c.new_quantity, c.old_quantity)
          <= old_v.amount * c.old_quantity
),

-- the period holding the requested date, under the billing day in force on it; the action
-- moves to the start of the next one
located AS (
    SELECT
        m.service_id, m.action_id, m.requested_on, a.span_to, a.cycle_months, a.anchor_month,
        a.billing_day,
        PERIOD_OF(m.requested_on, a.cycle_months, a.anchor_month, a.billing_day) AS k
    FROM moving AS m
    JOIN work.subscription_anchor_spans AS a
        ON a.subscription_id = m.subscription_id
       AND (a.span_from IS NULL OR a.span_from <= m.requested_on)
       AND (a.span_to IS NULL OR m.requested_on < a.span_to)
)

SELECT
    service_id,
    action_id,
    CASE
        WHEN span_to < PERIOD_START(k + 1, cycle_months, anchor_month, billing_day) THEN span_to
        ELSE PERIOD_START(k + 1, cycle_months, anchor_month, billing_day)
    END AS applies_on
FROM located
WHERE PERIOD_START(k, cycle_months, anchor_month, billing_day) < requested_on
UNION ALL
SELECT service_id, action_id, contract_end AS applies_on
FROM candidates
WHERE timing = 'end_of_contract'
