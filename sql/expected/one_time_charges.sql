-- One row per one-time service to be invoiced (domain.md §6: once, on activation, at amount x
-- quantity): charged_on is its first effective day (its activation; an activate and a cancel
-- on one day bill nothing, as for any service), with the product, price term and quantity in
-- force that day (a change before activation applies; one after it leaves the charge as
-- billed). No trial: a one-time service is billed on activation whatever its price term's
-- trial_days. A regretted service has no charge, so one billed is refunded in full and one
-- never billed bills nothing. The charge is one charge key (service_id, cycle_start =
-- charged_on, price_term_id, quantity) in a one-day period [charged_on, charged_on + 1) that
-- flows through charge_periods like any other; later states (cancel, deactivate, pause) leave
-- it as it is. A subscription that is only due (run_scope.valued_from) values only the charges
-- ending after valued_from, like its periods: one before it was billed then.
--
-- layer: expected
-- grain: service_id
WITH first_effective AS (
    SELECT
        t.service_id,
        MIN(t.seg_start) AS charged_on,
        ARG_MIN(t.product_id, t.seg_start) AS product_id,
        ARG_MIN(t.price_term_id, t.seg_start) AS price_term_id,
        ARG_MIN(t.quantity, t.seg_start) AS quantity
    FROM work.service_timeline AS t
    JOIN work.billable_services AS s ON s.service_id = t.service_id
    WHERE s.charging = 'one_time' AND t.state = 'effective'
    GROUP BY t.service_id
)

SELECT
    f.service_id,
    s.subscription_id,
    f.product_id,
    f.price_term_id,
    f.quantity,
    f.charged_on
FROM first_effective AS f
JOIN work.billable_services AS s ON s.service_id = f.service_id
JOIN work.service_terms AS te ON te.service_id = f.service_id
JOIN work.run_scope AS r ON r.subscription_id = s.subscription_id
WHERE te.regretted_on IS NULL
  AND (r.valued_from IS NULL OR f.charged_on + 1 > r.valued_from)
