-- One row per published invoice line of a subscription in the run's scope, in a period ending
-- after the subscription's valued_from when it has one (run_scope): its charge key and billed
-- terms, its invoice's subscription, issue date and number (credits go to a key's lines
-- newest first) and what is still uncredited on it. The one scan of the published lines a
-- run makes: the charge keys (ledger_charge_keys) and the credits (credit_allocations) read
-- them from here.
--
-- layer: ledger
-- grain: invoice_id, line_no
WITH credited AS (
    SELECT
        credited_invoice_id, credited_line_no,
        SUM(amount) AS amount, SUM(tax_amount) AS tax_amount
    FROM published.credit_note_lines
    GROUP BY credited_invoice_id, credited_line_no
)

SELECT
    l.service_id,
    l.cycle_start,
    l.price_term_id,
    l.quantity,
    l.charge,
    l.invoice_id,
    l.line_no,
    i.subscription_id,
    i.account_id,
    i.currency,
    i.issue_date,
    i.invoice_number,
    l.cycle_end,
    l.period_days,
    l.product_id,
    l.price_valid_from,
    l.unit_amount,
    l.tax_rate,
    l.period_start,
    l.period_end,
    l.days,
    l.amount,
    l.tax_amount,
    l.amount - COALESCE(c.amount, 0) AS open_amount,
    l.tax_amount - COALESCE(c.tax_amount, 0) AS open_tax_amount
FROM published.invoice_lines AS l
JOIN published.invoices AS i ON i.invoice_id = l.invoice_id
JOIN work.run_scope AS r ON r.subscription_id = i.subscription_id
LEFT JOIN credited AS c ON c.credited_invoice_id = l.invoice_id AND c.credited_line_no = l.line_no
WHERE r.valued_from IS NULL OR l.cycle_end > r.valued_from
