-- One row per upstream table of the load the run billed: rows read, loaded and quarantined
-- (rows read = rows loaded + rows quarantined, checks/quarantine_accounted_for).
--
-- layer: publish
-- grain: bill_run_id, table_name
-- published: append
SELECT
    CAST(:bill_run_id AS VARCHAR) AS bill_run_id, table_name, rows_read, rows_loaded,
    rows_quarantined
FROM work.src_load_stats
