-- One row per (action, service) rejection already published: a rejection is published once.
--
-- layer: ledger
-- grain: action_id, service_id
-- materialized: view
SELECT DISTINCT action_id, service_id FROM published.action_rejections
