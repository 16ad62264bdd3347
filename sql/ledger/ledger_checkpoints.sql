-- One row per subscription a published run computed: the fingerprint of its inputs then, the
-- date it next needs a run, and that run's as-of date and id.
--
-- layer: ledger
-- grain: subscription_id
-- materialized: view
SELECT subscription_id, fingerprint, wake_on, as_of, bill_run_id
FROM published.subscription_checkpoints
