-- One row per (service, applied action) with its outcome: the state before and after, whether
-- the action took effect or why not, and the service's terms (product, price term, quantity)
-- after it. A service whose order the account's service limit refuses (service_limit_orders)
-- never leaves draft: each of its actions is refused with reason `service_limit`. Every other
-- service's actions are as its own walk decides them (service_action_walk).
--
-- layer: expected
-- grain: service_id, seq
-- materialized: view
WITH refused AS (
    SELECT service_id FROM work.service_limit_orders WHERE NOT within_limit
)

SELECT
    service_id, seq, action_id, action, effective_on, subscription_level, took_effect,
    reason, state_before, state, pause_end, product_id, price_term_id, quantity
FROM work.service_action_walk
WHERE service_id NOT IN (SELECT service_id FROM refused)
UNION ALL
SELECT
    a.service_id,
    a.seq,
    a.action_id,
    a.action,
    a.effective_on,
    a.subscription_level,
    FALSE AS took_effect,
    'service_limit' AS reason,
    'draft' AS state_before,
    'draft' AS state,
    CAST(NULL AS DATE) AS pause_end,
    s.product_id,
    s.price_term_id,
    s.quantity
FROM work.service_actions AS a
JOIN work.replayed_services AS s ON s.service_id = a.service_id
WHERE a.service_id IN (SELECT service_id FROM refused)
