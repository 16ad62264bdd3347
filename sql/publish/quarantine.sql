-- One row per quarantined input row check of the load in force that no earlier run
-- published: the bad rows each run reports, so that analysts see every rejected input once.
-- source_row (the row's position in its file) tells apart two bad rows with the same key.
--
-- layer: publish
-- grain: load_id, table_name, source_row, check_name, column_name
-- published: append
SELECT
    q.load_id,
    q.table_name,
    q.row_key,
    q.column_name,
    q.check_name,
    q.message,
    q.source_row,
    :bill_run_id AS bill_run_id
FROM work.src_quarantine AS q
WHERE q.load_id NOT IN (SELECT load_id FROM work.ledger_quarantine_loads)
