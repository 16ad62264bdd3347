-- One row per charge key whose expected amount differs from what is published (domain.md §11):
-- diff_minor = expected - published, in integer minor units (tax likewise). Positive
-- differences become invoice lines, negative ones credit-note lines. Keys with published lines
-- and nothing expected any more are credited in full. Frozen services take no part.
--
-- layer: reconcile
-- grain: service_id, cycle_start, price_term_id, quantity, charge
WITH expected AS (
    SELECT e.*
    FROM work.charge_values AS e
    LEFT JOIN work.frozen_services AS f ON f.service_id = e.service_id
    WHERE f.service_id IS NULL
),

published AS (
    SELECT p.*
    FROM work.ledger_charge_keys AS p
    LEFT JOIN work.frozen_services AS f ON f.service_id = p.service_id
    WHERE f.service_id IS NULL
),

joined AS (
    SELECT
        COALESCE(e.service_id, p.service_id) AS service_id,
        COALESCE(e.cycle_start, p.cycle_start) AS cycle_start,
        COALESCE(e.price_term_id, p.price_term_id) AS price_term_id,
        COALESCE(e.quantity, p.quantity) AS quantity,
        COALESCE(e.charge, p.charge) AS charge,
        COALESCE(e.subscription_id, p.subscription_id) AS subscription_id,
        COALESCE(e.account_id, p.account_id) AS account_id,
        COALESCE(e.currency, p.currency) AS currency,
        COALESCE(e.product_id, p.product_id) AS product_id,
        COALESCE(e.price_valid_from, p.price_valid_from) AS price_valid_from,
        COALESCE(e.unit_amount, p.unit_amount) AS unit_amount,
        COALESCE(e.tax_rate, p.tax_rate) AS tax_rate,
        COALESCE(e.cycle_end, p.cycle_end) AS cycle_end,
        COALESCE(e.period_days, p.period_days) AS period_days,
        e.period_start AS expected_start,
        e.period_end AS expected_end,
        COALESCE(e.days, 0) AS expected_days,
        p.period_start AS published_start,
        p.period_end AS published_end,
        COALESCE(p.published_days, 0) AS published_days,
        p.service_id IS NOT NULL AS has_published,
        COALESCE(e.expected_minor, 0) AS expected_minor,
        COALESCE(e.expected_tax_minor, 0) AS expected_tax_minor,
        COALESCE(p.published_minor, 0) AS published_minor,
        COALESCE(p.published_tax_minor, 0) AS published_tax_minor
    FROM expected AS e
    FULL OUTER JOIN published AS p
        ON p.service_id = e.service_id AND p.cycle_start = e.cycle_start
       AND p.price_term_id = e.price_term_id AND p.quantity = e.quantity
       AND p.charge = e.charge
)

SELECT
    j.*,
    m.minor_factor,
    j.expected_minor - j.published_minor AS diff_minor,
    j.expected_tax_minor - j.published_tax_minor AS tax_diff_minor
FROM joined AS j
JOIN work.src_currencies AS m ON m.currency = j.currency
WHERE j.expected_minor <> j.published_minor
   OR j.expected_tax_minor <> j.published_tax_minor
