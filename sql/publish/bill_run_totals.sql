-- One row per (currency, document type) the run issues: documents, lines and money totals.
-- Credit notes are counted with positive amounts, as they are printed.
--
-- layer: publish
-- grain: bill_run_id, currency, document_type
-- published: append
SELECT
    CAST(:bill_run_id AS VARCHAR) AS bill_run_id, i.currency, 'invoice' AS document_type,
    COUNT(*) AS documents, CAST(SUM(l.lines) AS BIGINT) AS lines, SUM(i.subtotal) AS subtotal,
    SUM(i.tax) AS tax, SUM(i.total) AS total
FROM work.invoices AS i
JOIN (
    SELECT invoice_id, COUNT(*) AS lines FROM work.invoice_lines GROUP BY invoice_id
) AS l ON l.invoice_id = i.invoice_id
GROUP BY i.currency
UNION ALL
SELECT
    CAST(:bill_run_id AS VARCHAR), c.currency, 'credit_note', COUNT(*), CAST(SUM(l.lines) AS BIGINT),
    SUM(c.subtotal), SUM(c.tax), SUM(c.total)
FROM work.credit_notes AS c
JOIN (
    SELECT credit_note_id, COUNT(*) AS lines FROM work.credit_note_lines GROUP BY credit_note_id
) AS l ON l.credit_note_id = c.credit_note_id
GROUP BY c.currency
