-- One row per loaded account: its currency and credit limit (already in the currency's minor
-- units: the loader quarantines a finer one).
--
-- layer: sources
-- grain: account_id
-- materialized: view
SELECT account_id, currency, credit_limit, classification FROM upstream.accounts
