-- One row per service this release bills, of a subscription in the run's scope (int_run_scope):
-- termed and device products (domain.md §6), with the subscription's billing terms and the
-- account. Services of other product kinds are loaded but deferred (counted by the run).
SELECT
    s.service_id,
    s.subscription_id,
    s.product_id,
    s.price_term_id,
    s.quantity,
    s.ordered_on,
    p.tier_path,
    sub.account_id,
    sub.currency,
    sub.billing_cycle,
    sub.billing_model,
    sub.billing_method,
    sub.billing_day,
    COALESCE(sub.bill_days_before, 0) AS bill_days_before,
    sub.payment_method_id
FROM upstream.services AS s
JOIN upstream.products AS p ON p.product_id = s.product_id
JOIN upstream.subscriptions AS sub ON sub.subscription_id = s.subscription_id
JOIN work.int_run_scope AS r ON r.subscription_id = s.subscription_id
WHERE p.kind IN ('termed', 'device')
  AND sub.billing_cycle <> 'none'
