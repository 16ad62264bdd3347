-- One row per subscription that has input rows for this run: a fingerprint of everything the
-- engine reads about it at :as_of, an order-independent combination (BIT_XOR) of one hash per
-- row: the subscription, its services, its actions visible at the cut-off, and the quarantine
-- rows that name it. Two runs that see the same fingerprint for a subscription (and the same
-- catalog, see stg_catalog_fingerprint) compute the same charges for it, so a run leaves it
-- out unless one of its dates falls due (int_run_scope).
WITH hashed AS (
    SELECT
        subscription_id,
        HASH(
            'subscription', subscription_id, account_id, currency, billing_cycle, billing_model,
            billing_method, billing_day, bill_days_before, payment_method_id, agreement_date,
            concurrent_usage, rate_percent
        ) AS row_hash
    FROM upstream.subscriptions
    UNION ALL
    SELECT
        subscription_id,
        HASH(
            'service', service_id, subscription_id, product_id, price_term_id, quantity,
            ordered_on, parent_service_id
        ) AS row_hash
    FROM upstream.services
    UNION ALL
    SELECT
        subscription_id,
        HASH(
            'action', action_id, subscription_id, service_id, action, effective_on, recorded_at,
            new_product_id, new_price_term_id, new_quantity, days
        ) AS row_hash
    FROM work.stg_actions_visible
    UNION ALL
    SELECT
        subscription_id,
        HASH(
            'quarantine', table_name, row_key, column_name, check_name, service_id,
            price_term_id, source_row
        ) AS row_hash
    FROM upstream.quarantine
    WHERE subscription_id IS NOT NULL
)

SELECT subscription_id, BIT_XOR(row_hash) AS fingerprint
FROM hashed
GROUP BY subscription_id
