-- One row per subscription of the load: a fingerprint of every row the load holds about it,
-- an order-independent combination (BIT_XOR) of one hash per row: the subscription, its
-- services with the fingerprints of their product and price term (every version, with the
-- quarantine rows that name the price term and no subscription), all its actions with what
-- decides when they are visible (recorded_at; a cancelled or rejected one's status_changed_at)
-- with those of the product and price term they change to, the quarantine rows that name it,
-- and its account's classification (the one account column the valuation reads: the
-- account's orders are judged under it for every date, service_limit_orders). It depends on
-- the load alone, so the load derives it once (upstream.subscription_fingerprints,
-- pipelines/engine/warehouse.py) and no bill run rescans the whole snapshot to hash it. Two
-- runs that see the same fingerprint for a subscription, no action of it becoming visible or
-- withdrawn between their cut-offs (src_action_visibility) and the same shared inputs
-- (src_catalog_fingerprint) compute the same charges for it, so a run leaves it out unless
-- one of its dates falls due (run_scope). An executed scheduled action hashes as it did while
-- scheduled: both are in force alike.
--
-- layer: load
-- grain: subscription_id
WITH item_rows AS (
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
),

items AS (
    SELECT kind, item_id, BIT_XOR(row_hash) AS fingerprint
    FROM item_rows
    GROUP BY kind, item_id
),

price_terms AS (
    SELECT item_id, fingerprint FROM items WHERE kind = 'price_term'
),

products AS (
    SELECT item_id, fingerprint FROM items WHERE kind = 'product'
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
        sub.subscription_id,
        HASH('account', a.account_id, a.classification) AS row_hash
    FROM upstream.subscriptions AS sub
    JOIN upstream.accounts AS a ON a.account_id = sub.account_id
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
            'action', a.action_id, a.subscription_id, a.service_id, a.action,
            CASE WHEN a.status IN ('cancelled', 'rejected') THEN 'withdrawn' ELSE 'in_force' END,
            a.status_changed_at, a.effective_on, a.recorded_at, a.new_product_id,
            a.new_price_term_id, a.new_quantity, a.days, a.until_date, a.cycles, a.auto_renew,
            a.billing_day, a.payment_method_id, a.promotion_id, a.reason, pt.fingerprint,
            p.fingerprint
        ) AS row_hash
    FROM upstream.actions AS a
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
