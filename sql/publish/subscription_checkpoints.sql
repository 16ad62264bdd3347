-- One row per subscription the run computed and found in the load: the fingerprint of its
-- inputs, the date it next needs a run (null: only a change of input wakes it) and the date
-- a service state of it next changes (state_wake_on, subscription_wake_dates), and the account
-- it belonged to (so that a later move is known to the account it leaves). Replaces the
-- checkpoint of every subscription the run computed when published (one missing from the load
-- loses its checkpoint); run_scope reads it back through ledger_checkpoints.
--
-- layer: publish
-- grain: subscription_id
-- published: replace subscription_id in run_scope
SELECT
    s.subscription_id,
    s.fingerprint,
    w.wake_on,
    :as_of AS as_of,
    :bill_run_id AS bill_run_id,
    w.state_wake_on,
    u.account_id
FROM work.run_scope AS s
JOIN work.src_subscriptions AS u ON u.subscription_id = s.subscription_id
LEFT JOIN work.subscription_wake_dates AS w ON w.subscription_id = s.subscription_id
WHERE s.fingerprint IS NOT NULL
