-- One row per service whose cancel took effect inside its contract and whose protected version
-- charges a cancellation_fee (contract_cancellations): the fee as a charge key of its own (charge
-- `cancellation_fee`), charged once (domain.md §5), due in the first run whose date reaches
-- the cancel. Its key is (service, contract_start, agreed price term, quantity 1, charge): one
-- per service and contract, so a backdated change of the cancel's date re-values the same key
-- rather than adding another. Its period is the rest of the contract the cancel walks out of,
-- [cancel date, contract_end), all of it counted (days = period_days), so the amount is the fee
-- itself. A subscription valued from valued_from (run_scope) sees the fee only when its
-- contract ends after it, as the ledger sees the fee's lines (ledger_charge_keys).
--
-- layer: expected
-- grain: service_id
SELECT
    x.service_id,
    s.subscription_id,
    c.product_id,
    c.price_term_id,
    1 AS quantity,
    'cancellation_fee' AS charge,
    c.contract_start AS cycle_start,
    c.contract_end AS cycle_end,
    x.cancelled_on AS period_start,
    c.contract_end AS period_end,
    DATE_DIFF('day', x.cancelled_on, c.contract_end) AS days,
    DATE_DIFF('day', x.cancelled_on, c.contract_end) AS period_days,
    x.cancelled_on <= :as_of AS is_due,
    c.protected_valid_from AS price_valid_from,
    c.cancellation_fee AS unit_amount,
    c.tax_rate
FROM work.contract_cancellations AS x
JOIN work.service_contracts AS c ON c.service_id = x.service_id
JOIN work.billable_services AS s ON s.service_id = x.service_id
JOIN work.run_scope AS r ON r.subscription_id = s.subscription_id
WHERE r.valued_from IS NULL OR c.contract_end > r.valued_from
