-- One row per service the run froze, with the reason (domain.md §11).
--
-- layer: publish
-- grain: bill_run_id, service_id
-- published: append
SELECT CAST(:bill_run_id AS VARCHAR) AS bill_run_id, service_id, reason
FROM work.frozen_services
