-- One row per document of the run whose totals are not the sum of its lines: subtotal = Σ line
-- amounts, tax = Σ line taxes, total = subtotal + tax, for every invoice and credit note; or a
-- document without lines, or lines without a document. The documents' totals come from
-- new_documents, the lines from the differences row by row: two paths that must agree.
--
-- layer: checks
-- grain: document_id
WITH docs AS (
    SELECT invoice_id AS document_id, subtotal, tax, total FROM work.invoices
    UNION ALL
    SELECT credit_note_id, subtotal, tax, total FROM work.credit_notes
),

sums AS (
    SELECT invoice_id AS document_id, SUM(amount) AS amount, SUM(tax_amount) AS tax
    FROM work.invoice_lines
    GROUP BY invoice_id
    UNION ALL
    SELECT credit_note_id, SUM(amount), SUM(tax_amount)
    FROM work.credit_note_lines
    GROUP BY credit_note_id
)

SELECT
    COALESCE(d.document_id, s.document_id) AS document_id,
    d.subtotal,
    d.tax,
    d.total,
    s.amount AS lines_amount,
    s.tax AS lines_tax
FROM docs AS d
FULL OUTER JOIN sums AS s ON s.document_id = d.document_id
WHERE d.document_id IS NULL OR s.document_id IS NULL OR d.subtotal <> s.amount
   OR d.tax <> s.tax OR d.total <> d.subtotal + d.tax
