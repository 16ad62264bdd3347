-- One row per upstream table of the load the run billed whose rows are not all accounted for:
-- rows read <> rows loaded + rows quarantined, or a quarantined count other than the distinct
-- bad rows (file positions) that load's quarantine holds. Read from the run's own record of
-- its inputs (bill_run_inputs, bill_runs.load_id), so that it judges the load the run used.
--
-- layer: checks
-- grain: table_name
WITH run_load AS (
    SELECT load_id FROM work.bill_runs
),

quarantined AS (
    SELECT q.table_name, COUNT(DISTINCT q.source_row) AS rows_quarantined
    FROM work.src_quarantine AS q
    JOIN run_load AS r ON r.load_id = q.load_id
    GROUP BY q.table_name
)

SELECT
    i.table_name,
    i.rows_read,
    i.rows_loaded,
    i.rows_quarantined,
    COALESCE(q.rows_quarantined, 0) AS quarantine_rows
FROM work.bill_run_inputs AS i
LEFT JOIN quarantined AS q ON q.table_name = i.table_name
WHERE i.rows_read <> i.rows_loaded + i.rows_quarantined
   OR i.rows_quarantined <> COALESCE(q.rows_quarantined, 0)
