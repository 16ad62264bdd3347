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

service_periods AS (
    SELECT service_id, cycle_start, MIN(period_start) AS first_billable_day
    FROM keyed
    GROUP BY service_id, cycle_start
),

published_periods AS (
    SELECT DISTINCT service_id, cycle_start FROM work.int_published_charge_keys
),

due AS (
    SELECT k.*
    FROM keyed AS k
    JOIN service_periods AS sp ON sp.service_id = k.service_id AND sp.cycle_start = k.cycle_start
    LEFT JOIN published_periods AS pp
        ON pp.service_id = k.service_id AND pp.cycle_start = k.cycle_start
    WHERE pp.service_id IS NOT NULL
       OR (k.billing_model = 'pre'
           AND GREATEST(k.cycle_start - k.bill_days_before, sp.first_billable_day) <= :as_of)
       OR (k.billing_model = 'post' AND k.cycle_end <= :as_of)
),

versions AS (
    SELECT
        d.service_id, d.cycle_start, d.price_term_id, d.quantity,
        pt.valid_from, pt.amount, pt.tax_rate,
        ROW_NUMBER() OVER (
            PARTITION BY d.service_id, d.cycle_start, d.price_term_id, d.quantity
            ORDER BY CASE WHEN pt.valid_from <= d.cycle_start THEN 0 ELSE 1 END, pt.valid_from DESC
        ) AS pick
    FROM due AS d
    JOIN upstream.price_terms AS pt
        ON pt.price_term_id = d.price_term_id AND pt.valid_from <= d.period_start
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
    LEFT JOIN versions AS v
        ON v.service_id = d.service_id AND v.cycle_start = d.cycle_start
       AND v.price_term_id = d.price_term_id AND v.quantity = d.quantity AND v.pick = 1
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
