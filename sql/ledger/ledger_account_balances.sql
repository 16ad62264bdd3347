-- One row per (account, currency) with published documents: invoiced minus credited, in
-- integer minor units (what the account owes before transactions and this run).
--
-- layer: ledger
-- grain: account_id, currency
-- materialized: view
WITH documents AS (
    SELECT account_id, currency, total FROM published.invoices
    UNION ALL
    SELECT account_id, currency, -total FROM published.credit_notes
)

SELECT d.account_id, d.currency, SUM(AMOUNT_TO_MINOR(d.total, c.minor_factor)) AS balance_minor
FROM documents AS d
JOIN work.src_currencies AS c ON c.currency = d.currency
GROUP BY d.account_id, d.currency
