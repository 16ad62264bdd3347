-- One row per new credit note of the run: at most one per subscription, holding all its
-- credit lines (never netted against the invoice). Numbers continue the CN series without
-- gaps, in (currency, account_id, subscription_id) order. Credit notes have no due date.
WITH totals AS (
    SELECT
        credit_note_id, subscription_id, account_id, currency,
        SUM(amount) AS subtotal,
        SUM(tax_amount) AS tax
    FROM work.credit_note_lines
    GROUP BY credit_note_id, subscription_id, account_id, currency
),

last_number AS (
    SELECT COALESCE(MAX(credit_note_number), 0) AS n FROM published.credit_notes
)

SELECT
    t.credit_note_id,
    l.n + ROW_NUMBER() OVER (ORDER BY t.currency, t.account_id, t.subscription_id)
        AS credit_note_number,
    'CN' AS series,
    t.account_id,
    t.subscription_id,
    t.currency,
    :as_of AS issue_date,
    CAST(NULL AS DATE) AS due_date,
    CAST(t.subtotal AS DECIMAL(18, 4)) AS subtotal,
    CAST(t.tax AS DECIMAL(18, 4)) AS tax,
    CAST(t.subtotal + t.tax AS DECIMAL(18, 4)) AS total,
    :bill_run_id AS bill_run_id
FROM totals AS t
CROSS JOIN last_number AS l
