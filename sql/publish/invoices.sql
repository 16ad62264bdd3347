-- One row per new invoice of the run: at most one per subscription, holding all its positive
-- lines; id, number and totals from new_documents; due_date = issue_date +
-- payment_terms_days (the rule valid on as_of).
--
-- layer: publish
-- grain: invoice_id
-- published: append
WITH terms AS (
    SELECT MAX(CAST(value AS INTEGER)) AS payment_terms_days
    FROM work.src_business_rules
    WHERE key = 'payment_terms_days' AND VALID_ON(:as_of, valid_from, valid_to)
)

SELECT
    d.document_id AS invoice_id,
    d.document_number AS invoice_number,
    d.series,
    d.account_id,
    d.subscription_id,
    d.currency,
    :as_of AS issue_date,
    :as_of + terms.payment_terms_days AS due_date,
    MINOR_TO_AMOUNT(d.subtotal_minor, d.minor_factor) AS subtotal,
    MINOR_TO_AMOUNT(d.tax_minor, d.minor_factor) AS tax,
    MINOR_TO_AMOUNT(d.subtotal_minor + d.tax_minor, d.minor_factor) AS total,
    :bill_run_id AS bill_run_id
FROM work.new_documents AS d
CROSS JOIN terms
WHERE d.document_type = 'invoice'
