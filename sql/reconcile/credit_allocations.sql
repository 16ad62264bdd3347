-- One row per (negative charge difference, invoice line it credits): the difference allocated
-- to the key's published invoice lines newest first, each up to what is still uncredited on
-- it (domain.md §11), in integer minor units; tax likewise. Credits are differences of rounded
-- amounts, never re-prorated. credit_rank 1 is the newest line credited.
--
-- layer: reconcile
-- grain: credited_invoice_id, credited_line_no
WITH negative AS (
    SELECT *
    FROM work.charge_differences
    WHERE diff_minor < 0 OR tax_diff_minor < 0
),

open_lines AS (
    SELECT
        n.service_id, n.cycle_start, n.price_term_id, n.quantity, n.charge,
        l.invoice_id, l.line_no, l.issue_date, l.invoice_number,
        AMOUNT_TO_MINOR(l.open_amount, n.minor_factor) AS open_minor,
        AMOUNT_TO_MINOR(l.open_tax_amount, n.minor_factor) AS open_tax_minor
    FROM negative AS n
    JOIN work.ledger_invoice_lines AS l
        ON l.service_id = n.service_id AND l.cycle_start = n.cycle_start
       AND l.price_term_id = n.price_term_id AND l.quantity = n.quantity
       AND l.charge = n.charge
),

stacked AS (
    SELECT
        o.*,
        SUM(o.open_minor) OVER newest_first - o.open_minor AS open_before,
        SUM(o.open_tax_minor) OVER newest_first - o.open_tax_minor AS open_tax_before,
        ROW_NUMBER() OVER newest_first AS credit_rank
    FROM open_lines AS o
    WINDOW newest_first AS (
        PARTITION BY o.service_id, o.cycle_start, o.price_term_id, o.quantity, o.charge
        ORDER BY o.issue_date DESC, o.invoice_number DESC, o.line_no DESC
        ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
    )
),

allocated AS (
    SELECT
        n.*,
        s.invoice_id AS credited_invoice_id,
        s.line_no AS credited_line_no,
        s.credit_rank,
        LEAST(s.open_minor, GREATEST(-n.diff_minor - s.open_before, 0)) AS credit_minor,
        LEAST(s.open_tax_minor, GREATEST(-n.tax_diff_minor - s.open_tax_before, 0))
            AS credit_tax_minor
    FROM negative AS n
    JOIN stacked AS s
        ON s.service_id = n.service_id AND s.cycle_start = n.cycle_start
       AND s.price_term_id = n.price_term_id AND s.quantity = n.quantity
       AND s.charge = n.charge
)

SELECT *
FROM allocated
WHERE credit_minor > 0 OR credit_tax_minor > 0
