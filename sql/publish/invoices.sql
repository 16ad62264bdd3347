-- One row per new invoice of the run: at most one per subscription, holding all its positive
-- lines. Numbers continue the INV series without gaps, in (currency, account_id,
-- subscription_id) order; due_date = issue_date + payment_terms_days (rule valid on as_of).
WITH totals AS (
    SELECT
        invoice_id, subscription_id, account_id, currency,
        SUM(amount) AS subtotal,
        SUM(tax_amount) AS tax
    FROM work.invoice_lines
    GROUP BY invoice_id, subscription_id, account_id, currency
),

terms AS (
    SELECT COALESCE(MAX(CAST(value AS INTEGER)), 14) AS payment_terms_days
    FROM work.stg_business_rules
    WHERE key = 'payment_terms_days'
      AND valid_from <= :as_of AND (valid_to IS NULL OR :as_of < valid_to)
),

last_number AS (
    SELECT COALESCE(MAX(invoice_number), 0) AS n FROM published.invoices
)

SELECT
    t.invoice_id,
    l.n + ROW_NUMBER() OVER (ORDER BY t.currency, t.account_id, t.subscription_id)
        AS invoice_number,
    'INV' AS series,
    t.account_id,
    t.subscription_id,
    t.currency,
    :as_of AS issue_date,
    :as_of + terms.payment_terms_days AS due_date,
    CAST(t.subtotal AS DECIMAL(18, 4)) AS subtotal,
    CAST(t.tax AS DECIMAL(18, 4)) AS tax,
    CAST(t.subtotal + t.tax AS DECIMAL(18, 4)) AS total,
    :bill_run_id AS bill_run_id
FROM totals AS t
CROSS JOIN last_number AS l
CROSS JOIN terms
