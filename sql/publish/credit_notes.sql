-- One row per new credit note of the run: at most one per subscription, holding all its
-- credit lines (never netted against the invoice); id, number and totals from new_documents.
-- Credit notes have no due date.
--
-- layer: publish
-- grain: credit_note_id
-- published: append
SELECT
    document_id AS credit_note_id,
    document_number AS credit_note_number,
    series,
    account_id,
    subscription_id,
    currency,
    :as_of AS issue_date,
    CAST(NULL AS DATE) AS due_date,
    MINOR_TO_AMOUNT(subtotal_minor, minor_factor) AS subtotal,
    MINOR_TO_AMOUNT(tax_minor, minor_factor) AS tax,
    MINOR_TO_AMOUNT(subtotal_minor + tax_minor, minor_factor) AS total,
    :bill_run_id AS bill_run_id
FROM work.new_documents
WHERE document_type = 'credit_note'
