-- One row per service whose cancel took effect inside its contract (service_contracts:
-- contract_start <= the day it is cancelled from < contract_end) and whose protected version
-- charges a cancellation_fee (domain.md §5), with the day it is cancelled from. A cancel under
-- `cancel_in_contract = end_of_contract` applies on contract_end, outside the contract: none.
-- The fee itself is cancellation_fees'.
--
-- layer: expected
-- grain: service_id
-- state: subscription_id
SELECT
    o.service_id,
    s.subscription_id,
    o.effective_on AS cancelled_on
FROM work.service_action_outcomes AS o
JOIN work.service_contracts AS c ON c.service_id = o.service_id
JOIN work.replayed_services AS s ON s.service_id = o.service_id
WHERE o.action = 'cancel' AND o.took_effect
  AND o.effective_on >= c.contract_start AND o.effective_on < c.contract_end
  AND c.cancellation_fee > 0
