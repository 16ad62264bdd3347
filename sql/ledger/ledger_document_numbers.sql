-- One row per document series (INV, CN): the last number published, which the run's
-- documents continue without gaps.
--
-- layer: ledger
-- grain: document_type
-- materialized: view
SELECT 'invoice' AS document_type, COALESCE(MAX(invoice_number), 0) AS last_number
FROM published.invoices
UNION ALL
SELECT 'credit_note' AS document_type, COALESCE(MAX(credit_note_number), 0) AS last_number
FROM published.credit_notes
