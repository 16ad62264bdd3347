-- One row per published invoice (its total) and credit note (minus its total), in integer
-- minor units: what an account owes before transactions and this run, once summed per
-- account and currency. Left unsummed so that a reader sums only the accounts it needs
-- (invoice_funding: those the run invoices) instead of every account in the ledger.
--
-- layer: ledger
-- grain: document_id
-- materialized: view
WITH documents AS (
    SELECT invoice_id AS document_id, account_id, currency, total FROM published.invoices
    UNION ALL
    SELECT credit_note_id, account_id, currency, -total FROM published.credit_notes
)

SELECT
    d.document_id,
    d.account_id,
    d.currency,
    AMOUNT_TO_MINOR(d.total, c.minor_factor) AS amount_minor
FROM documents AS d
JOIN work.src_currencies AS c ON c.currency = d.currency
