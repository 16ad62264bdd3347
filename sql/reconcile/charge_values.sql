-- One row per charge key the run bills or re-values: the expected keys that are due on :as_of,
-- or whose service-period already has published lines (a key with published lines stays
-- expected whatever its billing date is now, domain.md §3), with what the key is worth.
-- Billed terms are frozen (domain.md §11): a key with published lines keeps the unit amount,
-- price version and tax rate of its first published line; any other key takes the
-- catalogue's (expected_charges). THE ONE PLACE WHERE MONEY IS ROUNDED (domain.md §2):
-- amount = unit amount x quantity x days / period_days and tax = amount x tax_rate, each
-- rounded once, half away from zero, to the currency's minor unit, in exact integer arithmetic
-- on minor units (HUGEINT): with A = unit amount in millionths, n = A * quantity * days * 10^m,
-- d = period_days * 10^6, amount_minor = (2n + d) div 2d. no_price_version marks a key that has
-- no terms at all (the service is frozen: frozen_services).
--
-- layer: reconcile
-- grain: service_id, cycle_start, price_term_id, quantity, charge
WITH published_periods AS (
    SELECT DISTINCT service_id, cycle_start, charge FROM work.ledger_charge_keys
),

billed AS (
    SELECT
        e.service_id, e.subscription_id, e.account_id, e.currency, e.minor_factor,
        e.product_id, e.price_term_id, e.quantity, e.charge, e.cycle_start, e.cycle_end,
        e.period_start, e.period_end, e.days, e.period_days,
        COALESCE(pk.price_valid_from, e.price_valid_from) AS price_valid_from,
        COALESCE(pk.unit_amount, e.unit_amount) AS unit_amount,
        COALESCE(pk.tax_rate, e.tax_rate) AS tax_rate
    FROM work.expected_charges AS e
    LEFT JOIN published_periods AS pp
        ON pp.service_id = e.service_id AND pp.cycle_start = e.cycle_start
       AND pp.charge = e.charge
    LEFT JOIN work.ledger_charge_keys AS pk
        ON pk.service_id = e.service_id AND pk.cycle_start = e.cycle_start
       AND pk.price_term_id = e.price_term_id AND pk.quantity = e.quantity
       AND pk.charge = e.charge
    WHERE e.is_due OR pp.service_id IS NOT NULL
),

rounded AS (
    SELECT
        b.*,
        (2 * CAST(b.unit_amount * 1000000 AS HUGEINT) * b.quantity * b.days * b.minor_factor
            + CAST(b.period_days AS HUGEINT) * 1000000)
        // (2 * CAST(b.period_days AS HUGEINT) * 1000000) AS expected_minor
    FROM billed AS b
)

SELECT
    service_id, subscription_id, account_id, currency, minor_factor, product_id, price_term_id,
    quantity, charge, cycle_start, cycle_end, period_start, period_end, days, period_days,
    price_valid_from, unit_amount, tax_rate,
    unit_amount IS NULL AS no_price_version,
    expected_minor,
    (2 * expected_minor * CAST(tax_rate * 1000000 AS HUGEINT) + 1000000) // 2000000
        AS expected_tax_minor
FROM rounded
