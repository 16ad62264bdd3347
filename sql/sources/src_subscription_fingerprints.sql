-- One row per subscription that has input rows for this run: a fingerprint of everything the
-- engine reads about it at :as_of, an order-independent combination (BIT_XOR) of one hash per
-- row: the subscription, its services with the fingerprints of their product and price term,
-- its actions visible at the cut-off with those of the product and price term they change to,
-- and the quarantine rows that name it. Two runs that see the same fingerprint for a
-- subscription (and the same shared inputs, see src_catalog_fingerprint) compute the same
-- charges for it, so a run leaves it out unless one of its dates falls due (run_scope).
--
-- layer: sources
-- grain: subscription_id
WITH price_terms AS (
    SELECT item_id, fingerprint FROM work.src_catalog_item_fingerprints WHERE kind = 'price_term'
),

products AS (
    SELECT item_id, fingerprint FROM work.src_catalog_item_fingerprints WHERE kind = 'product'
),

hashed AS (
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
        s.subscription_id,
        HASH(
            'service', s.service_id, s.subscription_id, s.product_id, s.price_term_id,
            s.quantity, s.ordered_on, s.parent_service_id, pt.fingerprint, p.fingerprint
        ) AS row_hash
    FROM upstream.services AS s
    LEFT JOIN price_terms AS pt ON pt.item_id = s.price_term_id
    LEFT JOIN products AS p ON p.item_id = s.product_id
    UNION ALL
    SELECT
        a.subscription_id,
        HASH(
            'action', a.action_id, a.subscription_id, a.service_id, a.action, a.effective_on,
            a.recorded_at, a.new_product_id, a.new_price_term_id, a.new_quantity, a.days,
            a.until_date, a.cycles, a.billing_day, pt.fingerprint, p.fingerprint
        ) AS row_hash
    FROM work.src_actions_visible AS a
    LEFT JOIN price_terms AS pt ON pt.item_id = a.new_price_term_id
    LEFT JOIN products AS p ON p.item_id = a.new_product_id
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
