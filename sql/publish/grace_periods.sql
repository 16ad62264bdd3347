-- One row per grace period that took effect (grace_period_spans), published by the first run
-- whose as-of date reaches its start: the span [grace_from, grace_to) of a service in which it
-- is not to be deactivated for lack of funds.
--
-- layer: publish
-- grain: service_id, action_id
-- published: append
SELECT
    g.service_id,
    g.subscription_id,
    s.account_id,
    g.action_id,
    g.grace_from,
    g.grace_to,
    :bill_run_id AS bill_run_id
FROM work.grace_period_spans AS g
JOIN work.billable_services AS s ON s.service_id = g.service_id
LEFT JOIN work.ledger_grace_periods AS l
    ON l.service_id = g.service_id AND l.action_id = g.action_id
LEFT JOIN work.frozen_services AS f ON f.service_id = g.service_id
WHERE g.took_effect
  AND g.grace_from <= :as_of
  AND l.action_id IS NULL
  AND f.service_id IS NULL
