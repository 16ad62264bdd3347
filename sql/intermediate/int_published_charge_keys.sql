-- One row per charge key (service_id, cycle_start, price_term_id, quantity) of a subscription
-- in the run's scope with published lines: what is published for it net of credits, in integer
-- minor units, and the billed terms of its first invoice line, which stay frozen for the key
-- (domain.md §11).
WITH invoices AS (
    SELECT i.*
    FROM published.invoices AS i
    JOIN work.int_run_scope AS r ON r.subscription_id = i.subscription_id
),

credit_notes AS (
    SELECT c.*
    FROM published.credit_notes AS c
    JOIN work.int_run_scope AS r ON r.subscription_id = c.subscription_id
),

lines AS (
    SELECT
        i.subscription_id, i.account_id, i.currency, i.issue_date, i.invoice_number,
        l.line_no, l.service_id, l.cycle_start, l.cycle_end, l.price_term_id, l.quantity,
        l.product_id, l.price_valid_from, l.unit_amount, l.tax_rate, l.period_start,
        l.period_end, l.period_days, l.days, l.amount, l.tax_amount, 1 AS sign
    FROM published.invoice_lines AS l
    JOIN invoices AS i ON i.invoice_id = l.invoice_id
    UNION ALL
    SELECT
        c.subscription_id, c.account_id, c.currency, c.issue_date, NULL, l.line_no,
        l.service_id, l.cycle_start, l.cycle_end, l.price_term_id, l.quantity, l.product_id,
        l.price_valid_from, l.unit_amount, l.tax_rate, l.period_start, l.period_end,
        l.period_days, l.days, l.amount, l.tax_amount, -1 AS sign
    FROM published.credit_note_lines AS l
    JOIN credit_notes AS c ON c.credit_note_id = l.credit_note_id
),

scaled AS (
    SELECT
        l.*,
        CASE m.minor_units
            WHEN 0 THEN 1 WHEN 1 THEN 10 WHEN 2 THEN 100 WHEN 3 THEN 1000 ELSE 10000
        END AS minor_factor
    FROM lines AS l
    LEFT JOIN upstream.currency_minor_units AS m ON m.currency = l.currency
),

keyed AS (
    SELECT
        service_id,
        cycle_start,
        price_term_id,
        quantity,
        ANY_VALUE(subscription_id) AS subscription_id,
        ANY_VALUE(account_id) AS account_id,
        ANY_VALUE(currency) AS currency,
        MAX(cycle_end) AS cycle_end,
        MAX(period_days) AS period_days,
        ARG_MIN(
            {'product_id': product_id, 'price_valid_from': price_valid_from,
             'unit_amount': unit_amount, 'tax_rate': tax_rate},
            {'sign': -sign, 'issue_date': issue_date, 'invoice_number': invoice_number,
             'line_no': line_no}
        ) AS first_line,
        MIN(period_start) AS period_start,
        MAX(period_end) AS period_end,
        SUM(sign * days) AS published_days,
        SUM(CAST(sign * amount * minor_factor AS HUGEINT)) AS published_minor,
        SUM(CAST(sign * tax_amount * minor_factor AS HUGEINT)) AS published_tax_minor
    FROM scaled
    GROUP BY service_id, cycle_start, price_term_id, quantity
)

SELECT
    service_id,
    cycle_start,
    price_term_id,
    quantity,
    subscription_id,
    account_id,
    currency,
    cycle_end,
    period_days,
    first_line.product_id AS product_id,
    first_line.price_valid_from AS price_valid_from,
    first_line.unit_amount AS unit_amount,
    first_line.tax_rate AS tax_rate,
    period_start,
    period_end,
    published_days,
    published_minor,
    published_tax_minor
FROM keyed
