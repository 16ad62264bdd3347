-- One row per subscription that has rows in the load: the fingerprint of those rows, as the
-- load derived it (sql/load/subscription_fingerprints.sql). Read by run_scope, which compares
-- it with the one each subscription's checkpoint recorded.
--
-- layer: sources
-- grain: subscription_id
-- materialized: view
SELECT subscription_id, fingerprint
FROM upstream.subscription_fingerprints
