-- One row per service this release applies, of a subscription in the run's scope (run_scope):
-- termed and device products in a subscription with a billing cycle, one-time and no-billing
-- products in any subscription (domain.md §6; src_services.is_billed), with how it is charged
-- (`charging`: per_cycle, one_time, never), the subscription's billing terms and the account.
-- Every one of them has states (the state machine walks its actions); only per-cycle ones have
-- periods (billable_segments), one-time ones a single charge (one_time_charges), no-billing
-- ones none. Services of other product kinds are loaded but deferred (counted by the run).
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
    s.payment_method_id,
    s.charging
FROM work.src_services AS s
JOIN work.run_scope AS r ON r.subscription_id = s.subscription_id
WHERE s.is_billed
