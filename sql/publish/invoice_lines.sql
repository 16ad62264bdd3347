-- One row per new invoice line of the run: a positive charge difference (domain.md §11). Kind:
-- `cancellation_fee` for every line of a fee's key; else `recurring` (`device` for a rented
-- device) when it is the key's first line and covers the whole period, `proration` when its
-- first line covers part of it, `one_time` for the first line of a one-time service's charge
-- (its one-day period), `correction` afterwards.
--
-- layer: publish
-- grain: invoice_id, line_no
-- published: append
SELECT
    n.document_id AS invoice_id,
    CAST(ROW_NUMBER() OVER (
        PARTITION BY p.subscription_id
        ORDER BY p.service_id, p.cycle_start, p.charge, p.price_term_id, p.quantity
    ) AS INTEGER) AS line_no,
    p.subscription_id,
    p.account_id,
    p.currency,
    p.service_id,
    p.product_id,
    p.price_term_id,
    p.price_valid_from,
    CASE
        WHEN p.charge = 'cancellation_fee' THEN 'cancellation_fee'
        WHEN p.has_published THEN 'correction'
        WHEN pr.kind = 'one_time' THEN 'one_time'
        WHEN p.expected_days < p.period_days THEN 'proration'
        WHEN pr.kind = 'device' THEN 'device'
        ELSE 'recurring'
    END AS kind,
    p.cycle_start,
    p.cycle_end,
    p.expected_start AS period_start,
    p.expected_end AS period_end,
    p.quantity,
    p.unit_amount,
    CAST(p.expected_days - p.published_days AS INTEGER) AS days,
    CAST(p.period_days AS INTEGER) AS period_days,
    MINOR_TO_AMOUNT(p.diff_minor, p.minor_factor) AS amount,
    p.tax_rate,
    MINOR_TO_AMOUNT(p.tax_diff_minor, p.minor_factor) AS tax_amount,
    :bill_run_id AS bill_run_id,
    p.charge
FROM work.charge_differences AS p
JOIN work.new_documents AS n
    ON n.subscription_id = p.subscription_id AND n.document_type = 'invoice'
LEFT JOIN work.src_products AS pr ON pr.product_id = p.product_id
WHERE p.diff_minor > 0
