-- One row per failed check of the load in force (a bad row fails one check or more), with
-- the references read from the bad row so that the run can freeze what it touches.
--
-- layer: sources
-- grain: table_name, source_row, check_name, column_name
-- materialized: view
SELECT
    load_id, table_name, row_key, column_name, check_name, message, subscription_id,
    service_id, price_term_id, source_row
FROM upstream.quarantine
