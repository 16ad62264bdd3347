-- One row per loaded service, with its product's kind and tier path and its subscription's
-- billing terms and account, and how the service is charged (domain.md §6): `per_cycle`
-- (termed and device products: per billing period), `one_time` (once, on activation) or
-- `never` (no_billing products). `is_billed` when this release applies the product kind
-- (src_applied_features) and the subscription can carry it: a per-cycle service needs a
-- subscription with a billing cycle (one in a `none` subscription is left out and counted as
-- deferred, bill_run_deferred; the loader quarantines it), one-time and no-billing services
-- work in any subscription. Every service that is billed has states, even one that is never
-- invoiced. cycle_months is the cycle's length in months (0 for weekly, null for `none`, so
-- that no period can be derived for it): the one place the cycle names are mapped.
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
        WHEN 'week' THEN 0 WHEN 'month' THEN 1 WHEN 'quarter' THEN 3 WHEN 'half_year' THEN 6
        WHEN 'year' THEN 12
    END AS cycle_months,
    CASE p.kind
        WHEN 'termed' THEN 'per_cycle' WHEN 'device' THEN 'per_cycle'
        WHEN 'one_time' THEN 'one_time' WHEN 'no_billing' THEN 'never'
    END AS charging,
    (
        k.name IS NOT NULL
        AND (sub.billing_cycle <> 'none' OR p.kind NOT IN ('termed', 'device'))
    ) AS is_billed
FROM upstream.services AS s
JOIN upstream.products AS p ON p.product_id = s.product_id
JOIN upstream.subscriptions AS sub ON sub.subscription_id = s.subscription_id
-- the applied kinds as a join rather than IN (subquery): a reader's join on subscription_id
-- (billable_services with run_scope) is then ordered before these joins over every service
LEFT JOIN (SELECT DISTINCT name FROM work.src_applied_features WHERE kind = 'product_kind') AS k
    ON k.name = p.kind
