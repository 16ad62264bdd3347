-- One row per subscription a published run computed: the fingerprint of its inputs then, the
-- date it next needs a run (and the date a service state of it next changes), and that run's
-- as-of date and id.
--
-- layer: ledger
-- grain: subscription_id
-- materialized: view
SELECT subscription_id, fingerprint, wake_on, as_of, bill_run_id, state_wake_on
FROM published.subscription_checkpoints
