-- One row per loaded service, with its product's kind and tier path and its subscription's
-- billing terms and account; `is_billed` when this release bills the product kind
-- (src_applied_features) in a subscription that has a billing cycle. cycle_months is the
-- cycle's length in months (0 for weekly): the one place the cycle names are mapped.
--
-- layer: sources
-- grain: service_id
-- materialized: view
SELECT
    s.service_id,
    s.subscription_id,
    s.product_id,
    s.price_term_id,
    s.quantity,
    s.ordered_on,
    p.kind AS product_kind,
    p.tier_path,
    sub.account_id,
    sub.currency,
    sub.billing_cycle,
    sub.billing_model,
    sub.billing_method,
    sub.billing_day,
    COALESCE(sub.bill_days_before, 0) AS bill_days_before,
    sub.payment_method_id,
    CASE sub.billing_cycle
        WHEN 'month' THEN 1 WHEN 'quarter' THEN 3 WHEN 'half_year' THEN 6 WHEN 'year' THEN 12
        ELSE 0
    END AS cycle_months,
    (
        p.kind IN (SELECT name FROM work.src_applied_features WHERE kind = 'product_kind')
        AND sub.billing_cycle <> 'none'
    ) AS is_billed
FROM upstream.services AS s
JOIN upstream.products AS p ON p.product_id = s.product_id
JOIN upstream.subscriptions AS sub ON sub.subscription_id = s.subscription_id
