-- One row per invoice the run issues: how it is funded (domain.md §9, before the funding
-- issue): within the account's credit limit it is posted as is; beyond it, a payment request
-- for the part beyond the limit, at most the invoice's total, through the subscription's
-- method if active, else the account's active primary, else its active wallet (null: no usable
-- method, the invoice stays unfunded). All in integer minor units, so a request is always in
-- the currency's minor units. Open balance per account and currency = published invoices -
-- credit notes (ledger_document_amounts) - this run's credit notes - payments + refunds -
-- adjustments (an adjustment is a credit to the account; transactions up to :as_of); each new
-- invoice is added in number order. The credit limit applies to invoices in the account's
-- currency.
--
-- layer: reconcile
-- grain: subscription_id
WITH invoices AS (
    SELECT * FROM work.new_documents WHERE document_type = 'invoice'
),

invoiced_accounts AS (
    SELECT DISTINCT account_id FROM invoices
),

movements AS (
    SELECT d.account_id, d.currency, d.amount_minor
    FROM work.ledger_document_amounts AS d
    JOIN invoiced_accounts AS a ON a.account_id = d.account_id
    UNION ALL
    SELECT account_id, currency, -(subtotal_minor + tax_minor)
    FROM work.new_documents
    WHERE document_type = 'credit_note'
    UNION ALL
    SELECT
        t.account_id, t.currency,
        AMOUNT_TO_MINOR(CASE WHEN t.kind = 'refund' THEN t.amount ELSE -t.amount END, c.minor_factor)
    FROM work.src_transactions AS t
    JOIN invoiced_accounts AS a ON a.account_id = t.account_id
    JOIN work.src_currencies AS c ON c.currency = t.currency
    WHERE t.kind IN ('payment', 'refund', 'adjustment')
),

opening AS (
    SELECT account_id, currency, SUM(amount_minor) AS balance_minor
    FROM movements
    GROUP BY account_id, currency
),

running AS (
    SELECT
        i.subscription_id,
        i.document_id AS invoice_id,
        i.account_id,
        i.currency,
        i.minor_factor,
        i.subtotal_minor + i.tax_minor AS total_minor,
        COALESCE(o.balance_minor, 0) + SUM(i.subtotal_minor + i.tax_minor) OVER (
            PARTITION BY i.account_id, i.currency ORDER BY i.document_number
            ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
        ) AS balance_after_minor,
        CASE
            WHEN a.currency = i.currency THEN AMOUNT_TO_MINOR(a.credit_limit, i.minor_factor)
            ELSE 0
        END AS credit_limit_minor
    FROM invoices AS i
    JOIN work.src_accounts AS a ON a.account_id = i.account_id
    LEFT JOIN opening AS o ON o.account_id = i.account_id AND o.currency = i.currency
),

needing AS (
    SELECT *
    FROM running
    WHERE balance_after_minor > credit_limit_minor AND total_minor > 0
),

methods AS (
    SELECT
        r.subscription_id,
        ARG_MIN(
            pm.payment_method_id,
            {'preference': CASE
                WHEN pm.payment_method_id = sub.payment_method_id THEN 0
                WHEN pm.is_primary THEN 1
                ELSE 2
            END, 'payment_method_id': pm.payment_method_id}
        ) AS payment_method_id
    FROM needing AS r
    JOIN work.src_subscriptions AS sub ON sub.subscription_id = r.subscription_id
    JOIN work.src_payment_methods AS pm
        ON pm.account_id = r.account_id AND pm.status = 'active'
       AND (pm.payment_method_id = sub.payment_method_id OR pm.is_primary OR pm.kind = 'wallet')
    GROUP BY r.subscription_id
)

SELECT
    r.subscription_id,
    r.invoice_id,
    r.account_id,
    r.currency,
    r.minor_factor,
    r.total_minor,
    n.subscription_id IS NOT NULL AS needs_request,
    CASE
        WHEN n.subscription_id IS NOT NULL
            THEN LEAST(r.total_minor, r.balance_after_minor - r.credit_limit_minor)
    END AS request_minor,
    m.payment_method_id
FROM running AS r
LEFT JOIN needing AS n ON n.subscription_id = r.subscription_id
LEFT JOIN methods AS m ON m.subscription_id = r.subscription_id
