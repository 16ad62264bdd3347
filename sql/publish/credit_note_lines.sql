-- One row per new credit-note line of the run: a negative charge difference allocated to the
-- key's invoice lines newest first, each up to what is still uncredited on it (domain.md §11).
-- Amounts are positive and are differences of rounded amounts, never re-prorated. The kind
-- follows the state of the credited days: replaced by a change, cancelled, deactivated or
-- expired, paused, else a correction.
WITH negative AS (
    SELECT *
    FROM work.int_charge_differences
    WHERE diff_minor < 0 OR tax_diff_minor < 0
),

credited_so_far AS (
    SELECT
        credited_invoice_id, credited_line_no,
        SUM(amount) AS amount, SUM(tax_amount) AS tax_amount
    FROM published.credit_note_lines
    GROUP BY credited_invoice_id, credited_line_no
),

open_lines AS (
    SELECT
        n.service_id, n.cycle_start, n.price_term_id, n.quantity,
        l.invoice_id, l.line_no, i.issue_date, i.invoice_number,
        CAST((l.amount - COALESCE(c.amount, 0)) * n.minor_factor AS HUGEINT) AS open_minor,
        CAST((l.tax_amount - COALESCE(c.tax_amount, 0)) * n.minor_factor AS HUGEINT)
            AS open_tax_minor
    FROM negative AS n
    JOIN published.invoice_lines AS l
        ON l.service_id = n.service_id AND l.cycle_start = n.cycle_start
       AND l.price_term_id = n.price_term_id AND l.quantity = n.quantity
    JOIN published.invoices AS i ON i.invoice_id = l.invoice_id
    LEFT JOIN credited_so_far AS c
        ON c.credited_invoice_id = l.invoice_id AND c.credited_line_no = l.line_no
),

stacked AS (
    SELECT
        o.*,
        SUM(o.open_minor) OVER newest_first - o.open_minor AS open_before,
        SUM(o.open_tax_minor) OVER newest_first - o.open_tax_minor AS open_tax_before,
        ROW_NUMBER() OVER newest_first AS credit_rank
    FROM open_lines AS o
    WINDOW newest_first AS (
        PARTITION BY o.service_id, o.cycle_start, o.price_term_id, o.quantity
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
),

period_states AS (
    SELECT
        n.service_id, n.cycle_start,
        BOOL_OR(t.state = 'cancelled') AS cancelled,
        BOOL_OR(t.state = 'not_effective') AS not_effective,
        BOOL_OR(t.state = 'paused') AS paused
    FROM (SELECT DISTINCT service_id, cycle_start, cycle_end FROM negative) AS n
    JOIN work.int_service_timeline AS t
        ON t.service_id = n.service_id AND t.seg_start < n.cycle_end
       AND (t.seg_end IS NULL OR t.seg_end > n.cycle_start)
    GROUP BY n.service_id, n.cycle_start
),

changed AS (
    SELECT DISTINCT n.service_id, n.cycle_start, n.price_term_id, n.quantity
    FROM negative AS n
    JOIN work.int_expected_charges AS e
        ON e.service_id = n.service_id AND e.cycle_start = n.cycle_start
       AND (e.price_term_id <> n.price_term_id OR e.quantity <> n.quantity)
),

earlier AS (
    SELECT subscription_id, COUNT(*) AS documents
    FROM published.credit_notes
    WHERE issue_date = :as_of
    GROUP BY subscription_id
)

SELECT
    'CN-' || a.subscription_id || '-' || CAST(:as_of AS VARCHAR)
        || CASE WHEN e.documents IS NULL THEN '' ELSE '-' || CAST(e.documents + 1 AS VARCHAR) END
        AS credit_note_id,
    CAST(ROW_NUMBER() OVER (
        PARTITION BY a.subscription_id
        ORDER BY a.service_id, a.cycle_start, a.price_term_id, a.quantity, a.credit_rank
    ) AS INTEGER) AS line_no,
    a.subscription_id,
    a.account_id,
    a.currency,
    a.service_id,
    a.product_id,
    a.price_term_id,
    a.price_valid_from,
    CASE
        WHEN c.service_id IS NOT NULL THEN 'change_credit'
        WHEN ps.cancelled THEN 'cancellation_credit'
        WHEN ps.not_effective THEN 'deactivation_credit'
        WHEN ps.paused THEN 'pause_credit'
        WHEN t.term_end > a.cycle_start AND t.term_end < a.cycle_end THEN 'deactivation_credit'
        ELSE 'correction'
    END AS kind,
    a.cycle_start,
    a.cycle_end,
    CASE
        WHEN a.expected_end > a.published_start AND a.expected_end < a.published_end
            THEN a.expected_end
        ELSE a.published_start
    END AS period_start,
    a.published_end AS period_end,
    a.quantity,
    a.unit_amount,
    CAST(CASE WHEN a.credit_rank = 1 THEN a.published_days - a.expected_days ELSE 0 END
        AS INTEGER) AS days,
    CAST(a.period_days AS INTEGER) AS period_days,
    CAST(CAST(a.credit_minor * (10000 // a.minor_factor) AS DECIMAL(18, 0))
        * CAST(0.0001 AS DECIMAL(5, 4)) AS DECIMAL(18, 4)) AS amount,
    a.tax_rate,
    CAST(CAST(a.credit_tax_minor * (10000 // a.minor_factor) AS DECIMAL(18, 0))
        * CAST(0.0001 AS DECIMAL(5, 4)) AS DECIMAL(18, 4)) AS tax_amount,
    a.credited_invoice_id,
    a.credited_line_no,
    :bill_run_id AS bill_run_id
FROM allocated AS a
LEFT JOIN changed AS c
    ON c.service_id = a.service_id AND c.cycle_start = a.cycle_start
   AND c.price_term_id = a.price_term_id AND c.quantity = a.quantity
LEFT JOIN period_states AS ps ON ps.service_id = a.service_id AND ps.cycle_start = a.cycle_start
LEFT JOIN work.int_service_terms AS t ON t.service_id = a.service_id
LEFT JOIN earlier AS e ON e.subscription_id = a.subscription_id
WHERE a.credit_minor > 0 OR a.credit_tax_minor > 0
