-- One row per load whose quarantined rows a run already published (once per load).
--
-- layer: ledger
-- grain: load_id
-- materialized: view
SELECT DISTINCT load_id FROM published.quarantine
