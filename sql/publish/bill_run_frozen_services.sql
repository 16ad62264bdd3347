-- One row per service the run froze, with the reason (domain.md §11).
SELECT CAST(:bill_run_id AS VARCHAR) AS bill_run_id, service_id, reason
FROM work.int_frozen_services
