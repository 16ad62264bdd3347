-- One row per published invoice line: its charge key, its invoice's issue date and number
-- (credits go to a key's lines newest first) and what is still uncredited on it.
--
-- layer: ledger
-- grain: invoice_id, line_no
-- materialized: view
WITH credited AS (
    SELECT
        credited_invoice_id, credited_line_no,
        SUM(amount) AS amount, SUM(tax_amount) AS tax_amount
    FROM published.credit_note_lines
    GROUP BY credited_invoice_id, credited_line_no
)

SELECT
    l.service_id,
    l.cycle_start,
    l.price_term_id,
    l.quantity,
    l.charge,
    l.invoice_id,
    l.line_no,
    i.issue_date,
    i.invoice_number,
    l.amount - COALESCE(c.amount, 0) AS open_amount,
    l.tax_amount - COALESCE(c.tax_amount, 0) AS open_tax_amount
FROM published.invoice_lines AS l
JOIN published.invoices AS i ON i.invoice_id = l.invoice_id
LEFT JOIN credited AS c ON c.credited_invoice_id = l.invoice_id AND c.credited_line_no = l.line_no
