-- One row per catalog item a subscription can reference, kind 'price_term' or 'product': a
-- fingerprint of its rows (every version of a price term, with the quarantine rows that name
-- it and no subscription; a product's row). A subscription's fingerprint folds in those of
-- the items its services and actions reference (src_subscription_fingerprints), so a
-- catalogue edit puts in the run's scope just the subscriptions it can change.
--
-- layer: sources
-- grain: kind, item_id
WITH hashed AS (
    SELECT
        'price_term' AS kind,
        price_term_id AS item_id,
        HASH(
            'price_term', price_term_id, valid_from, product_id, currency, billing_cycle, amount,
            billing_model, trial_days, termed_cycles, auto_renew, contract_cycles,
            cancellation_fee, tax_rate, concurrent_usage
        ) AS row_hash
    FROM upstream.price_terms
    UNION ALL
    SELECT
        'price_term' AS kind,
        price_term_id AS item_id,
        HASH(
            'quarantine', table_name, row_key, column_name, check_name, service_id,
            price_term_id, source_row
        ) AS row_hash
    FROM upstream.quarantine
    WHERE subscription_id IS NULL AND price_term_id IS NOT NULL
    UNION ALL
    SELECT
        'product' AS kind,
        product_id AS item_id,
        HASH('product', product_id, name, kind, tier_path, bundle_kind) AS row_hash
    FROM upstream.products
)

SELECT kind, item_id, BIT_XOR(row_hash) AS fingerprint
FROM hashed
GROUP BY kind, item_id
