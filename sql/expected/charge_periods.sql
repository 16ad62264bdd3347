-- One row per (billable segment, billing period it overlaps): the billable days of a service
-- under one set of terms inside one anchored period (billing-cycle alignment: every service
-- of a subscription shares its periods, domain.md §1). period_days is the length of the
-- anchored period, also for one a change_billing_day cuts short (domain.md §10).
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
