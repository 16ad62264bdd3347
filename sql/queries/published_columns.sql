-- One row per column of every table of the warehouse's published schema, in table and column
-- order (what `billing export` writes).
--
-- layer: queries
SELECT table_name, column_name
FROM information_schema.columns
WHERE table_schema = 'published' AND table_catalog = current_database()
ORDER BY table_name, ordinal_position
