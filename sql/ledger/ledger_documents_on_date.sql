-- One row per (subscription, document type) with documents already issued on :as_of (by an
-- earlier run of the same date, after a new load): the run's document of that type gets the
-- next suffix.
--
-- layer: ledger
-- grain: subscription_id, document_type
-- materialized: view
SELECT subscription_id, 'invoice' AS document_type, COUNT(*) AS documents
FROM published.invoices
WHERE issue_date = :as_of
GROUP BY subscription_id
UNION ALL
SELECT subscription_id, 'credit_note' AS document_type, COUNT(*) AS documents
FROM published.credit_notes
WHERE issue_date = :as_of
GROUP BY subscription_id
