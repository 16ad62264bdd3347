-- One row per service charged per cycle whose agreed price term has a contract period (domain.md §6):
-- contract_cycles cycles from its first billable day (the first activation as requested, after
-- the trial trial_grants gives it: the day F is read from), counted on that day's day of month
-- (clamped to short months) or by whole weeks, over [contract_start, contract_end). The price
-- term and version are those in force at the first activation (trial_grants); the version
-- valid on contract_start is the protected one, and its cancellation_fee is what a cancel
-- inside the contract costs. Read from the actions as requested, like F, so that the timing
-- of a cancel (end_of_period_actions) and the price protection agree.
--
-- layer: expected
-- grain: service_id
-- state: service_id
WITH agreed AS (
    SELECT
        g.service_id,
        g.price_term_id,
        g.first_activated_on + g.trial_days AS contract_start,
        v.contract_cycles,
        s.cycle_months
    FROM work.trial_grants AS g
    JOIN work.replayed_services AS s ON s.service_id = g.service_id
    JOIN work.src_price_versions AS v
        ON v.price_term_id = g.price_term_id
       AND VALID_ON(g.first_activated_on, v.covers_from, v.valid_to)
    WHERE v.contract_cycles IS NOT NULL AND s.charging = 'per_cycle'
)

SELECT
    a.service_id,
    a.price_term_id,
    a.contract_start,
    CASE
        WHEN a.cycle_months = 0 THEN a.contract_start + 7 * a.contract_cycles
        ELSE MONTH_DAY(MONTH_INDEX(a.contract_start) + a.contract_cycles * a.cycle_months,
                       DAY(a.contract_start))
    END AS contract_end,
    p.valid_from AS protected_valid_from,
    p.product_id,
    p.cancellation_fee,
    p.tax_rate
FROM agreed AS a
JOIN work.src_price_versions AS p
    ON p.price_term_id = a.price_term_id
   AND VALID_ON(a.contract_start, p.covers_from, p.valid_to)
