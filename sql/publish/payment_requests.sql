-- One row per new invoice of the run that takes the account past its credit limit and has a
-- usable payment method: the payment request to send (invoice_funding). The amount is in the
-- currency's minor units. payment_request_id derives from (invoice_id, attempt), so a re-run
-- never sends it twice.
--
-- layer: publish
-- grain: payment_request_id
-- published: append
SELECT
    'PR-' || f.invoice_id || '-1' AS payment_request_id,
    f.account_id,
    f.invoice_id,
    f.payment_method_id,
    MINOR_TO_AMOUNT(f.request_minor, f.minor_factor) AS amount,
    f.currency,
    :as_of AS requested_on,
    1 AS attempt,
    :bill_run_id AS bill_run_id
FROM work.invoice_funding AS f
WHERE f.needs_request AND f.payment_method_id IS NOT NULL
