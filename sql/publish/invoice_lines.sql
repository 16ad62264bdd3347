-- One row per new invoice line of the run: a positive charge difference (domain.md §11). Kind:
-- `recurring` (`device` for a rented device) when it is the key's first line and covers the
-- whole period, `proration` when its first line covers part of it, `correction` afterwards.
-- Amounts leave integer minor units here, exactly: minor x 10^(4-m) x 0.0001.
WITH positive AS (
    SELECT d.*, p.kind AS product_kind
    FROM work.int_charge_differences AS d
    JOIN upstream.products AS p ON p.product_id = d.product_id
    WHERE d.diff_minor > 0
),

earlier AS (
    SELECT subscription_id, COUNT(*) AS documents
    FROM published.invoices
    WHERE issue_date = :as_of
    GROUP BY subscription_id
)

SELECT
    'INV-' || p.subscription_id || '-' || CAST(:as_of AS VARCHAR)
        || CASE WHEN e.documents IS NULL THEN '' ELSE '-' || CAST(e.documents + 1 AS VARCHAR) END
        AS invoice_id,
    CAST(ROW_NUMBER() OVER (
        PARTITION BY p.subscription_id
        ORDER BY p.service_id, p.cycle_start, p.price_term_id, p.quantity
    ) AS INTEGER) AS line_no,
    p.subscription_id,
    p.account_id,
    p.currency,
    p.service_id,
    p.product_id,
    p.price_term_id,
    p.price_valid_from,
    CASE
        WHEN p.has_published THEN 'correction'
        WHEN p.expected_days < p.period_days THEN 'proration'
        WHEN p.product_kind = 'device' THEN 'device'
        ELSE 'recurring'
    END AS kind,
    p.cycle_start,
    p.cycle_end,
    p.expected_start AS period_start,
    p.expected_end AS period_end,
    p.quantity,
    p.unit_amount,
    CAST(p.expected_days - p.published_days AS INTEGER) AS days,
    CAST(p.period_days AS INTEGER) AS period_days,
    CAST(CAST(p.diff_minor * (10000 // p.minor_factor) AS DECIMAL(18, 0))
        * CAST(0.0001 AS DECIMAL(5, 4)) AS DECIMAL(18, 4)) AS amount,
    p.tax_rate,
    CAST(CAST(p.tax_diff_minor * (10000 // p.minor_factor) AS DECIMAL(18, 0))
        * CAST(0.0001 AS DECIMAL(5, 4)) AS DECIMAL(18, 4)) AS tax_amount,
    :bill_run_id AS bill_run_id
FROM positive AS p
LEFT JOIN earlier AS e ON e.subscription_id = p.subscription_id
