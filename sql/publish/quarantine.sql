-- One row per quarantined input row check of the load in force that no earlier run
-- published: the bad rows each run reports, so that analysts see every rejected input once.
SELECT
    q.load_id,
    q.table_name,
    q.row_key,
    q.column_name,
    q.check_name,
    q.message,
    :bill_run_id AS bill_run_id
FROM upstream.quarantine AS q
WHERE q.load_id NOT IN (SELECT DISTINCT load_id FROM published.quarantine)
