-- One row per (billable segment, billing period it overlaps): the billable days of a service
-- under one set of terms inside one anchored period (billing-cycle alignment: every service
-- of a subscription shares its periods, domain.md §1). period_days is the length of the
-- anchored period, also for one a change_billing_day cuts short (domain.md §10). A one-time
-- charge (one_time_charges) is the one day of its own period [charged_on, charged_on + 1), due
-- on that day under either billing model (billed in the first run whose date reaches it), so
-- that it is a charge key of the same reconciliation as every period.
--
-- layer: expected
-- grain: service_id, cycle_start, span_start
SELECT
    s.service_id,
    s.subscription_id,
    s.product_id,
    s.price_term_id,
    s.quantity,
    p.billing_model,
    p.bill_days_before,
    p.cycle_start,
    p.cycle_end,
    p.period_days,
    GREATEST(s.seg_start, p.cycle_start) AS span_start,
    CASE
        WHEN s.seg_end IS NULL THEN p.cycle_end ELSE LEAST(s.seg_end, p.cycle_end)
    END AS span_end
FROM work.billable_segments AS s
JOIN work.billing_periods AS p
    ON p.subscription_id = s.subscription_id
   AND p.cycle_start < COALESCE(s.seg_end, p.cycle_end)
   AND p.cycle_end > s.seg_start
UNION ALL
SELECT
    o.service_id,
    o.subscription_id,
    o.product_id,
    o.price_term_id,
    o.quantity,
    'pre' AS billing_model,
    0 AS bill_days_before,
    o.charged_on AS cycle_start,
    o.charged_on + 1 AS cycle_end,
    CAST(1 AS BIGINT) AS period_days,
    o.charged_on AS span_start,
    o.charged_on + 1 AS span_end
FROM work.one_time_charges AS o
