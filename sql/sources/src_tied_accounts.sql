-- One row per account whose subscriptions a run computes together, as the load derived them
-- (sql/load/tied_accounts.sql says why). Read by run_scope.
--
-- layer: sources
-- grain: account_id
-- materialized: view
SELECT account_id
FROM upstream.tied_accounts
