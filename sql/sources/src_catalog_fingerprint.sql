-- One row: a fingerprint of the inputs every subscription shares (business rules, currency
-- minor units, quarantine rows that name neither a subscription nor a price term). When it
-- differs from the one the last published run saw, every subscription is in the run's scope
-- (run_scope). Products and price terms are fingerprinted per item instead
-- (src_catalog_item_fingerprints) and reach only the subscriptions that reference them.
--
-- layer: sources
-- grain: one row
WITH hashed AS (
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
    WHERE subscription_id IS NULL AND price_term_id IS NULL
)

SELECT COALESCE(BIT_XOR(row_hash), 0) AS fingerprint
FROM hashed
