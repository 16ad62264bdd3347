-- One row per subscription the run computed and found in the load: the fingerprint of its
-- inputs and the date it next needs a run (null: only a change of input wakes it). Replaces the
-- subscription's previous checkpoint when published; int_run_scope reads it back.
SELECT
    s.subscription_id,
    s.fingerprint,
    w.wake_on,
    :as_of AS as_of,
    :bill_run_id AS bill_run_id
FROM work.int_run_scope AS s
LEFT JOIN work.int_subscription_wake_dates AS w ON w.subscription_id = s.subscription_id
WHERE s.fingerprint IS NOT NULL
