-- One row per new invoice of the run that takes the account past its credit limit: the
-- payment request to send (domain.md §9, before the funding issue). Open balance = invoices -
-- credit notes (published and of this run) - payments + refunds - adjustments (transactions
-- up to as_of; adjustments are credits to the account), per account and currency; each new
-- invoice is added in number order. amount = min(invoice total, balance after it - credit
-- limit). Method: the subscription's if active, else the account's active primary, else its
-- active wallet; with none, payment_method_id is null and the invoice is counted unfunded.
-- payment_request_id derives from (invoice_id, attempt) so a re-run never sends it twice.
WITH invoiced_accounts AS (
    SELECT DISTINCT account_id FROM work.invoices
),

-- Only the accounts the run invoices need a balance.
movements AS (
    SELECT i.account_id, i.currency, i.total AS amount
    FROM published.invoices AS i
    JOIN invoiced_accounts AS a ON a.account_id = i.account_id
    UNION ALL
    SELECT c.account_id, c.currency, -c.total
    FROM published.credit_notes AS c
    JOIN invoiced_accounts AS a ON a.account_id = c.account_id
    UNION ALL
    SELECT account_id, currency, -total FROM work.credit_notes
    UNION ALL
    SELECT
        t.account_id, t.currency,
        CASE WHEN t.kind = 'refund' THEN t.amount ELSE -t.amount END
    FROM upstream.transactions AS t
    JOIN invoiced_accounts AS a ON a.account_id = t.account_id
    WHERE t.occurred_on <= :as_of AND t.kind IN ('payment', 'refund', 'adjustment')
),

opening AS (
    SELECT account_id, currency, SUM(amount) AS balance
    FROM movements
    GROUP BY account_id, currency
),

running AS (
    SELECT
        i.*,
        COALESCE(o.balance, 0) + SUM(i.total) OVER (
            PARTITION BY i.account_id, i.currency ORDER BY i.invoice_number
            ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
        ) AS balance_after,
        CASE WHEN a.currency = i.currency THEN a.credit_limit ELSE 0 END AS credit_limit
    FROM work.invoices AS i
    JOIN upstream.accounts AS a ON a.account_id = i.account_id
    LEFT JOIN opening AS o ON o.account_id = i.account_id AND o.currency = i.currency
),

methods AS (
    SELECT
        r.invoice_id,
        ARG_MIN(
            pm.payment_method_id,
            {'preference': CASE
                WHEN pm.payment_method_id = sub.payment_method_id THEN 0
                WHEN pm.is_primary THEN 1
                ELSE 2
            END, 'payment_method_id': pm.payment_method_id}
        ) AS payment_method_id
    FROM running AS r
    JOIN upstream.subscriptions AS sub ON sub.subscription_id = r.subscription_id
    JOIN upstream.payment_methods AS pm
        ON pm.account_id = r.account_id AND pm.status = 'active'
       AND (pm.payment_method_id = sub.payment_method_id OR pm.is_primary OR pm.kind = 'wallet')
    WHERE r.balance_after > r.credit_limit AND r.total > 0
    GROUP BY r.invoice_id
)

SELECT
    'PR-' || r.invoice_id || '-1' AS payment_request_id,
    r.account_id,
    r.invoice_id,
    m.payment_method_id,
    CAST(LEAST(r.total, r.balance_after - r.credit_limit) AS DECIMAL(18, 4)) AS amount,
    r.currency,
    :as_of AS requested_on,
    1 AS attempt,
    :bill_run_id AS bill_run_id
FROM running AS r
LEFT JOIN methods AS m ON m.invoice_id = r.invoice_id
WHERE r.balance_after > r.credit_limit AND r.total > 0
