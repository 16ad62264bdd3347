-- One row per charge key (service_id, cycle_start, price_term_id, quantity, charge) of a
-- subscription in the run's scope with published lines (ledger_invoice_lines: in a period
-- ending after the subscription's valued_from when it has one): what is published for it net
-- of credits, in integer minor units, and the billed terms of its first invoice line, which
-- stay frozen for the key (domain.md §11). A key's first line is its invoice line of the
-- smallest invoice number: numbers grow with the issue date (runs never go back) and a run
-- bills a key at most once.
--
-- layer: ledger
-- grain: service_id, cycle_start, price_term_id, quantity, charge
WITH invoiced AS (
    SELECT
        l.service_id,
        l.cycle_start,
        l.price_term_id,
        l.quantity,
        l.charge,
        ANY_VALUE(l.subscription_id) AS subscription_id,
        ANY_VALUE(l.account_id) AS account_id,
        ANY_VALUE(l.currency) AS currency,
        ANY_VALUE(l.cycle_end) AS cycle_end,
        ANY_VALUE(l.period_days) AS period_days,
        ARG_MIN(l.product_id, l.invoice_number) AS product_id,
        ARG_MIN(l.price_valid_from, l.invoice_number) AS price_valid_from,
        ARG_MIN(l.unit_amount, l.invoice_number) AS unit_amount,
        ARG_MIN(l.tax_rate, l.invoice_number) AS tax_rate,
        MIN(l.period_start) AS period_start,
        MAX(l.period_end) AS period_end,
        SUM(l.days) AS days,
        SUM(l.amount) AS amount,
        SUM(l.tax_amount) AS tax_amount
    FROM work.ledger_invoice_lines AS l
    GROUP BY l.service_id, l.cycle_start, l.price_term_id, l.quantity, l.charge
),

credited AS (
    SELECT
        l.service_id,
        l.cycle_start,
        l.price_term_id,
        l.quantity,
        l.charge,
        MIN(l.period_start) AS period_start,
        MAX(l.period_end) AS period_end,
        SUM(l.days) AS days,
        SUM(l.amount) AS amount,
        SUM(l.tax_amount) AS tax_amount
    FROM published.credit_note_lines AS l
    JOIN published.credit_notes AS c ON c.credit_note_id = l.credit_note_id
    JOIN work.run_scope AS r ON r.subscription_id = c.subscription_id
    WHERE r.valued_from IS NULL OR l.cycle_end > r.valued_from
    GROUP BY l.service_id, l.cycle_start, l.price_term_id, l.quantity, l.charge
)

SELECT
    i.service_id,
    i.cycle_start,
    i.price_term_id,
    i.quantity,
    i.charge,
    i.subscription_id,
    i.account_id,
    i.currency,
    i.cycle_end,
    i.period_days,
    i.product_id,
    i.price_valid_from,
    i.unit_amount,
    i.tax_rate,
    CASE WHEN c.period_start < i.period_start THEN c.period_start ELSE i.period_start END
        AS period_start,
    CASE WHEN c.period_end > i.period_end THEN c.period_end ELSE i.period_end END AS period_end,
    i.days - COALESCE(c.days, 0) AS published_days,
    AMOUNT_TO_MINOR(i.amount - COALESCE(c.amount, 0), f.minor_factor) AS published_minor,
    AMOUNT_TO_MINOR(i.tax_amount - COALESCE(c.tax_amount, 0), f.minor_factor)
        AS published_tax_minor
FROM invoiced AS i
LEFT JOIN credited AS c
    ON c.service_id = i.service_id AND c.cycle_start = i.cycle_start
   AND c.price_term_id = i.price_term_id AND c.quantity = i.quantity AND c.charge = i.charge
LEFT JOIN work.src_currencies AS f ON f.currency = i.currency
