-- One row per upstream table of the load in force: its file and rows read, loaded and
-- quarantined, with the load's id, folder and time (what upstream_snapshot shows).
--
-- layer: queries
SELECT s.table_name, s.source_file, s.rows_read, s.rows_loaded, s.rows_quarantined,
       s.load_id, l.source_dir, l.loaded_at
FROM upstream.load_stats AS s
LEFT JOIN upstream.loads AS l USING (load_id)
ORDER BY s.table_name
