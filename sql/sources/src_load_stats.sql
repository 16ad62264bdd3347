-- One row per upstream table of the load in force: rows read, loaded and quarantined.
--
-- layer: sources
-- grain: table_name
-- materialized: view
SELECT load_id, table_name, rows_read, rows_loaded, rows_quarantined FROM upstream.load_stats
