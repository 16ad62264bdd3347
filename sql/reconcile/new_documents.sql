-- One row per document the run issues: at most one invoice (all the subscription's positive
-- differences) and at most one credit note (all its credit allocations) per subscription,
-- never netted (domain.md §11), with its totals in integer minor units. The one place document
-- ids and numbers are given: ids derive from (subscription, as_of, type), `-2`, `-3`, ... for a
-- second document of the same subscription, date and type (after a new load), so that a re-run
-- after a crash reproduces them; numbers continue each series (INV, CN) without gaps, in
-- (currency, account_id, subscription_id) order.
--
-- layer: reconcile
-- grain: document_type, subscription_id
WITH documents AS (
    SELECT
        'invoice' AS document_type, subscription_id, account_id, currency, minor_factor,
        SUM(diff_minor) AS subtotal_minor, SUM(tax_diff_minor) AS tax_minor
    FROM work.charge_differences
    WHERE diff_minor > 0
    GROUP BY subscription_id, account_id, currency, minor_factor
    UNION ALL
    SELECT
        'credit_note' AS document_type, subscription_id, account_id, currency, minor_factor,
        SUM(credit_minor) AS subtotal_minor, SUM(credit_tax_minor) AS tax_minor
    FROM work.credit_allocations
    GROUP BY subscription_id, account_id, currency, minor_factor
)

SELECT
    d.document_type,
    CASE d.document_type WHEN 'invoice' THEN 'INV' ELSE 'CN' END AS series,
    CASE d.document_type WHEN 'invoice' THEN 'INV-' ELSE 'CN-' END
        || d.subscription_id || '-' || CAST(:as_of AS VARCHAR)
        || CASE WHEN e.documents IS NULL THEN '' ELSE '-' || CAST(e.documents + 1 AS VARCHAR) END
        AS document_id,
    n.last_number + ROW_NUMBER() OVER (
        PARTITION BY d.document_type ORDER BY d.currency, d.account_id, d.subscription_id
    ) AS document_number,
    d.subscription_id,
    d.account_id,
    d.currency,
    d.minor_factor,
    d.subtotal_minor,
    d.tax_minor
FROM documents AS d
JOIN work.ledger_document_numbers AS n ON n.document_type = d.document_type
LEFT JOIN work.ledger_documents_on_date AS e
    ON e.subscription_id = d.subscription_id AND e.document_type = d.document_type
