-- One row per charge key (service_id, cycle_start, price_term_id, quantity) due on :as_of: its
-- billable days in the period and what they are worth. THE ONE PLACE WHERE MONEY IS ROUNDED
-- (domain.md §2): amount = amount x quantity x days / period_days and tax = amount x tax_rate,
-- each rounded once, half away from zero, to the currency's minor unit, in exact integer
-- arithmetic on minor units (HUGEINT): with A = unit amount in millionths,
-- n = A * quantity * days * 10^m, d = period_days * 10^6, amount_minor = (2n + d) div 2d.
-- A period is due when its billing date has come (pre-bill: period start - bill_days_before, or
-- the service's first billable day in it if later; post-bill: period end) or when it already
-- has published lines. A key's price version is the latest valid on cycle_start, else the one
-- valid on its first billable day; a key with published lines keeps its first line's terms.
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
    FROM work.int_charge_periods
    GROUP BY service_id, subscription_id, cycle_start, price_term_id, quantity
),

-- Due by its billing date, judged on the key's own first day; a pre-billed key whose own first
-- day is after :as_of is due when another key of the service's period starts by :as_of (the
-- period's first billable day is the earliest of its keys'), or when the period is published.
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

due AS (
    SELECT
        service_id, cycle_start, price_term_id, quantity, subscription_id, product_id,
        cycle_end, period_days, days, period_start, period_end
    FROM dated
    WHERE due_by_date
    UNION ALL
    SELECT
        o.service_id, o.cycle_start, o.price_term_id, o.quantity, o.subscription_id,
        o.product_id, o.cycle_end, o.period_days, o.days, o.period_start, o.period_end
    FROM dated AS o
    WHERE NOT o.due_by_date
      AND (
          (o.billing_model = 'pre' AND o.cycle_start - o.bill_days_before <= :as_of
           AND EXISTS (
               SELECT 1 FROM keyed AS f
               WHERE f.service_id = o.service_id AND f.cycle_start = o.cycle_start
                 AND f.period_start <= :as_of
           ))
          OR EXISTS (
              SELECT 1 FROM work.int_published_charge_keys AS pp
              WHERE pp.service_id = o.service_id AND pp.cycle_start = o.cycle_start
          )
      )
),

priced AS (
    SELECT
        d.*,
        a.account_id,
        a.currency,
        CASE a.minor_units
            WHEN 0 THEN 1 WHEN 1 THEN 10 WHEN 2 THEN 100 WHEN 3 THEN 1000 ELSE 10000
        END AS minor_factor,
        COALESCE(pk.price_valid_from, v.valid_from) AS price_valid_from,
        COALESCE(pk.unit_amount, v.amount) AS unit_amount,
        COALESCE(pk.tax_rate, v.tax_rate) AS tax_rate
    FROM due AS d
    JOIN work.int_subscription_anchors AS a ON a.subscription_id = d.subscription_id
    LEFT JOIN work.stg_price_versions AS v
        ON v.price_term_id = d.price_term_id
       AND v.valid_from <= CASE
           WHEN v.first_valid_from <= d.cycle_start THEN d.cycle_start ELSE d.period_start
       END
       AND (v.valid_to IS NULL OR v.valid_to > CASE
           WHEN v.first_valid_from <= d.cycle_start THEN d.cycle_start ELSE d.period_start
       END)
    LEFT JOIN work.int_published_charge_keys AS pk
        ON pk.service_id = d.service_id AND pk.cycle_start = d.cycle_start
       AND pk.price_term_id = d.price_term_id AND pk.quantity = d.quantity
),

rounded AS (
    SELECT
        p.*,
        (2 * CAST(p.unit_amount * 1000000 AS HUGEINT) * p.quantity * p.days * p.minor_factor
            + CAST(p.period_days AS HUGEINT) * 1000000)
        // (2 * CAST(p.period_days AS HUGEINT) * 1000000) AS expected_minor
    FROM priced AS p
)

SELECT
    service_id, subscription_id, account_id, currency, minor_factor, product_id, price_term_id,
    quantity, cycle_start, cycle_end, period_start, period_end, days, period_days,
    price_valid_from, unit_amount, tax_rate,
    unit_amount IS NULL AS no_price_version,
    expected_minor,
    (2 * expected_minor * CAST(tax_rate * 1000000 AS HUGEINT) + 1000000) // 2000000
        AS expected_tax_minor
FROM rounded
