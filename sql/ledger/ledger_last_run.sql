-- One row: the published runs so far, and what the latest one saw: the fingerprint of the
-- inputs every subscription shares and the engine version (run_scope compares both).
--
-- layer: ledger
-- grain: one row
-- materialized: view
SELECT
    COUNT(*) AS runs,
    ARG_MAX(catalog_fingerprint, finished_at) AS catalog_fingerprint,
    ARG_MAX(engine_version, finished_at) AS engine_version
FROM published.bill_runs
WHERE mode = 'run' AND status = 'published'
