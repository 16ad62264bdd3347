-- One row per refused service action (action_judgements) effective by :as_of that no earlier
-- run published: the action takes no effect (domain.md §5). A frozen service's refusals wait
-- until it is billed again.
--
-- layer: publish
-- grain: action_id, service_id
-- published: append
SELECT
    o.action_id,
    o.service_id,
    o.reason,
    :bill_run_id AS bill_run_id
FROM work.action_judgements AS o
LEFT JOIN work.ledger_rejections AS r
    ON r.action_id = o.action_id AND r.service_id = o.service_id
LEFT JOIN work.frozen_services AS f ON f.service_id = o.service_id
WHERE o.effective_on <= :as_of
  AND r.action_id IS NULL
  AND f.service_id IS NULL
