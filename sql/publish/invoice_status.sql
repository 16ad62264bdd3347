-- One row per new invoice of the run: its first status. Until the funding issue an invoice
-- within the account's credit limit is `posted` as is; one that needs a payment request (or
-- has no method to request it from) stays `unposted` until the payment arrives.
SELECT
    i.invoice_id,
    CASE WHEN p.invoice_id IS NULL THEN 'posted' ELSE 'unposted' END AS status,
    :as_of AS since,
    :bill_run_id AS bill_run_id
FROM work.invoices AS i
LEFT JOIN work.payment_requests AS p ON p.invoice_id = i.invoice_id
