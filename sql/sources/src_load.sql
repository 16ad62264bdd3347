-- One row: the load in force (the latest), whose snapshot the run bills.
--
-- layer: sources
-- grain: one row
-- materialized: view
SELECT load_id, source_dir, loaded_at
FROM upstream.loads
ORDER BY loaded_at DESC, load_id DESC
LIMIT 1
