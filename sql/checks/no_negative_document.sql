-- One row per document or line of the run with a negative amount: invoices and credit notes
-- are never negative (a credit is a credit note with positive amounts), and neither is any
-- line amount or tax.
--
-- layer: checks
-- grain: document_id, line_no
SELECT invoice_id AS document_id, CAST(NULL AS INTEGER) AS line_no, total AS amount
FROM work.invoices
WHERE total < 0 OR subtotal < 0
UNION ALL
SELECT credit_note_id, NULL, total
FROM work.credit_notes
WHERE total < 0 OR subtotal < 0
UNION ALL
SELECT invoice_id, line_no, amount
FROM work.invoice_lines
WHERE amount < 0 OR tax_amount < 0
UNION ALL
SELECT credit_note_id, line_no, amount
FROM work.credit_note_lines
WHERE amount < 0 OR tax_amount < 0
