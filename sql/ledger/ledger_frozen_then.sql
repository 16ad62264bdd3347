-- One row per subscription with a service that the run which last computed it froze (so it
-- billed nothing for it then, and its ended periods may still be unbilled).
--
-- layer: ledger
-- grain: subscription_id
-- materialized: view
SELECT DISTINCT k.subscription_id
FROM published.bill_run_frozen_services AS f
JOIN published.subscription_checkpoints AS k ON k.bill_run_id = f.bill_run_id
JOIN work.src_services AS s
    ON s.service_id = f.service_id AND s.subscription_id = k.subscription_id
