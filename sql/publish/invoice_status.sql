-- One row per new invoice of the run: its first status. Until the funding issue an invoice
-- within the account's credit limit is `posted` as is; one that needs a payment request (or
-- has no method to request it from) stays `unposted` until the payment arrives.
--
-- layer: publish
-- grain: invoice_id
-- published: append
SELECT
    f.invoice_id,
    CASE WHEN f.needs_request THEN 'unposted' ELSE 'posted' END AS status,
    :as_of AS since,
    :bill_run_id AS bill_run_id
FROM work.invoice_funding AS f
