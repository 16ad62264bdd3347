-- One row per service this release bills, of a subscription in the run's scope (run_scope):
-- termed and device products in a subscription with a billing cycle (domain.md §6;
-- src_services.is_billed), with the subscription's billing terms and the account. Services of
-- other product kinds are loaded but deferred (counted by the run).
--
-- layer: expected
-- grain: service_id
SELECT
    s.service_id,
    s.subscription_id,
    s.product_id,
    s.price_term_id,
    s.quantity,
    s.ordered_on,
    s.tier_path,
    s.account_id,
    s.currency,
    s.billing_cycle,
    s.cycle_months,
    s.billing_model,
    s.billing_method,
    s.billing_day,
    s.bill_days_before,
    s.payment_method_id
FROM work.src_services AS s
JOIN work.run_scope AS r ON r.subscription_id = s.subscription_id
WHERE s.is_billed
