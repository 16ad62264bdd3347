-- One row: a fingerprint of the inputs every subscription shares (products, price terms and
-- their versions, business rules, currency minor units, quarantine rows that name no
-- subscription). When it differs from the one the last published run saw, every subscription
-- is in the run's scope (int_run_scope).
WITH hashed AS (
    SELECT HASH('product', product_id, name, kind, tier_path, bundle_kind) AS row_hash
    FROM upstream.products
    UNION ALL
    SELECT
        HASH(
            'price_term', price_term_id, valid_from, product_id, currency, billing_cycle, amount,
            billing_model, trial_days, termed_cycles, auto_renew, contract_cycles,
            cancellation_fee, tax_rate, concurrent_usage
        ) AS row_hash
    FROM upstream.price_terms
    UNION ALL
    SELECT HASH('business_rule', key, value, valid_from) AS row_hash
    FROM upstream.business_rules
    UNION ALL
    SELECT HASH('currency', currency, minor_units) AS row_hash
    FROM upstream.currency_minor_units
    UNION ALL
    SELECT
        HASH(
            'quarantine', table_name, row_key, column_name, check_name, service_id,
            price_term_id, source_row
        ) AS row_hash
    FROM upstream.quarantine
    WHERE subscription_id IS NULL
)

SELECT COALESCE(BIT_XOR(row_hash), 0) AS fingerprint
FROM hashed
