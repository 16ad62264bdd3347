-- One row per charge key (service_id, cycle_start, price_term_id, quantity, charge) in the
-- periods the run values: for charge `period`, the key's billable days in its period, whether
-- it is due on :as_of by its billing date, and the catalogue's terms for it. A period is due
-- when its billing date has come (pre-bill: period start - bill_days_before, or the service's
-- first billable day in it if later; post-bill: period end). A pre-billed key whose own first
-- day is after :as_of is due with the service's period, when another key of it starts by
-- :as_of (the period's first billable day is the earliest of its keys'). Every key of a
-- service-period that a bill_in_advance dated by :as_of covers is due (advance_billings). The
-- catalogue's version is the latest valid on cycle_start, else the one valid on the key's
-- first billable day (null: none is), except inside a contract (service_contracts): a period
-- of the agreed price term that starts before the contract's end takes the protected version,
-- the one valid on the contract's start (domain.md §6), whatever versions come later. A
-- one-time charge is a key of a one-day period (charge_periods), due on its day; the
-- cancellation fees (cancellation_fees) are keys of their own charge. What a key is worth,
-- and whether one that already has published lines keeps them, is reconciled against the
-- ledger (charge_values): this model knows nothing of what was billed.
--
-- layer: expected
-- grain: service_id, cycle_start, price_term_id, quantity, charge
WITH keyed AS (
    SELECT
        service_id, subscription_id, cycle_start, price_term_id, quantity,
        ANY_VALUE(product_id) AS product_id,
        ANY_VALUE(billing_model) AS billing_model,
        ANY_VALUE(bill_days_before) AS bill_days_before,
        ANY_VALUE(cycle_end) AS cycle_end,
        ANY_VALUE(period_days) AS period_days,
        SUM(DATE_DIFF('day', span_start, span_end)) AS days,
        MIN(span_start) AS period_start,
        MAX(span_end) AS period_end
    FROM work.charge_periods
    GROUP BY service_id, subscription_id, cycle_start, price_term_id, quantity
),

dated AS (
    SELECT
        k.*,
        COALESCE(
            (k.billing_model = 'pre' AND k.cycle_start - k.bill_days_before <= :as_of
             AND k.period_start <= :as_of)
            OR (k.billing_model = 'post' AND k.cycle_end <= :as_of),
            FALSE
        ) AS due_by_date
    FROM keyed AS k
),

-- the service-periods a bill_in_advance dated by :as_of bills ahead (advance_billings)
advanced AS (
    SELECT DISTINCT k.service_id, k.cycle_start
    FROM keyed AS k
    JOIN work.advance_billings AS b
        ON b.service_id = k.service_id AND b.took_effect AND b.effective_on <= :as_of
       AND k.cycle_start >= b.advance_from AND k.cycle_start < b.advance_to
),

due AS (
    SELECT
        d.*,
        d.due_by_date OR v.service_id IS NOT NULL OR COALESCE(
            d.billing_model = 'pre' AND d.cycle_start - d.bill_days_before <= :as_of
            AND EXISTS (
                SELECT 1 FROM keyed AS f
                WHERE f.service_id = d.service_id AND f.cycle_start = d.cycle_start
                  AND f.period_start <= :as_of
            ),
            FALSE
        ) AS is_due
    FROM dated AS d
    LEFT JOIN advanced AS v ON v.service_id = d.service_id AND v.cycle_start = d.cycle_start
)

SELECT
    d.service_id,
    d.subscription_id,
    a.account_id,
    a.currency,
    m.minor_factor,
    d.product_id,
    d.price_term_id,
    d.quantity,
    'period' AS charge,
    d.cycle_start,
    d.cycle_end,
    d.period_start,
    d.period_end,
    d.days,
    d.period_days,
    d.is_due,
    v.valid_from AS price_valid_from,
    v.amount AS unit_amount,
    v.tax_rate
FROM due AS d
JOIN work.billable_services AS a ON a.service_id = d.service_id
JOIN work.src_currencies AS m ON m.currency = a.currency
LEFT JOIN work.service_contracts AS c
    ON c.service_id = d.service_id AND c.price_term_id = d.price_term_id
   AND d.cycle_start < c.contract_end
LEFT JOIN work.src_price_versions AS v
    ON v.price_term_id = d.price_term_id
   AND CASE
       WHEN c.service_id IS NOT NULL THEN v.valid_from = c.protected_valid_from
       ELSE VALID_ON(
           CASE WHEN v.first_valid_from <= d.cycle_start THEN d.cycle_start
                ELSE d.period_start END,
           v.valid_from,
           v.valid_to
       )
   END
UNION ALL
SELECT
    f.service_id, f.subscription_id, a.account_id, a.currency, m.minor_factor, f.product_id,
    f.price_term_id, f.quantity, f.charge, f.cycle_start, f.cycle_end, f.period_start,
    f.period_end, f.days, f.period_days, f.is_due, f.price_valid_from, f.unit_amount,
    f.tax_rate
FROM work.cancellation_fees AS f
JOIN work.billable_services AS a ON a.service_id = f.service_id
JOIN work.src_currencies AS m ON m.currency = a.currency
