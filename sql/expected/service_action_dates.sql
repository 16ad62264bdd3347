-- One row per (subscription, date) on which one of its service actions (service_actions,
-- refused or not) is to take effect: a date on which a service state or a rejection can
-- appear with no new input, which subscription_wake_dates wakes the subscription for.
--
-- layer: expected
-- grain: subscription_id, effective_on
-- state: subscription_id
SELECT DISTINCT subscription_id, effective_on
FROM work.service_actions
