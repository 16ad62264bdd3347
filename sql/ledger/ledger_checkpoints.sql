-- One row per subscription a published run computed: the fingerprint of its inputs then, the
-- date it next needs a run (and the date a service state of it next changes), that run's
-- as-of date and id, and the account the subscription belonged to then.
--
-- layer: ledger
-- grain: subscription_id
-- materialized: view
SELECT subscription_id, fingerprint, wake_on, as_of, bill_run_id, state_wake_on, account_id
FROM published.subscription_checkpoints
