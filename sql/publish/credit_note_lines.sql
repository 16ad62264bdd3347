-- One row per new credit-note line of the run: a credit allocation (credit_allocations: a
-- negative charge difference allocated to the key's invoice lines newest first). Amounts are
-- positive. The kind follows the state of the credited days: a regretted service's credits are
-- all refunds, else replaced by a change, cancelled, deactivated or expired, paused, else a
-- correction.
--
-- layer: publish
-- grain: credit_note_id, line_no
-- published: append
WITH period_states AS (
    SELECT
        n.service_id, n.cycle_start,
        BOOL_OR(t.state = 'cancelled') AS cancelled,
        BOOL_OR(t.state = 'not_effective') AS not_effective,
        BOOL_OR(t.state = 'paused') AS paused
    FROM (SELECT DISTINCT service_id, cycle_start, cycle_end FROM work.credit_allocations) AS n
    JOIN work.service_timeline AS t
        ON t.service_id = n.service_id AND t.seg_start < n.cycle_end
       AND (t.seg_end IS NULL OR t.seg_end > n.cycle_start)
    GROUP BY n.service_id, n.cycle_start
),

changed AS (
    SELECT DISTINCT n.service_id, n.cycle_start, n.price_term_id, n.quantity
    FROM work.credit_allocations AS n
    JOIN work.charge_values AS e
        ON e.service_id = n.service_id AND e.cycle_start = n.cycle_start
       AND e.charge = 'period' AND n.charge = 'period'
       AND (e.price_term_id <> n.price_term_id OR e.quantity <> n.quantity)
)

SELECT
    n.document_id AS credit_note_id,
    CAST(ROW_NUMBER() OVER (
        PARTITION BY a.subscription_id
        ORDER BY a.service_id, a.cycle_start, a.charge, a.price_term_id, a.quantity,
                 a.credit_rank
    ) AS INTEGER) AS line_no,
    a.subscription_id,
    a.account_id,
    a.currency,
    a.service_id,
    a.product_id,
    a.price_term_id,
    a.price_valid_from,
    CASE
        WHEN t.regretted_on IS NOT NULL THEN 'regret_refund'
        WHEN a.charge <> 'period' THEN 'correction'
        WHEN c.service_id IS NOT NULL THEN 'change_credit'
        WHEN ps.cancelled THEN 'cancellation_credit'
        WHEN ps.not_effective THEN 'deactivation_credit'
        WHEN ps.paused THEN 'pause_credit'
        ELSE 'correction'
    END AS kind,
    a.cycle_start,
    a.cycle_end,
    CASE
        WHEN a.expected_end > a.published_start AND a.expected_end < a.published_end
            THEN a.expected_end
        ELSE a.published_start
    END AS period_start,
    a.published_end AS period_end,
    a.quantity,
    a.unit_amount,
    CAST(CASE WHEN a.credit_rank = 1 THEN a.published_days - a.expected_days ELSE 0 END
        AS INTEGER) AS days,
    CAST(a.period_days AS INTEGER) AS period_days,
    MINOR_TO_AMOUNT(a.credit_minor, a.minor_factor) AS amount,
    a.tax_rate,
    MINOR_TO_AMOUNT(a.credit_tax_minor, a.minor_factor) AS tax_amount,
    a.credited_invoice_id,
    a.credited_line_no,
    :bill_run_id AS bill_run_id,
    a.charge
FROM work.credit_allocations AS a
JOIN work.new_documents AS n
    ON n.subscription_id = a.subscription_id AND n.document_type = 'credit_note'
LEFT JOIN changed AS c
    ON c.service_id = a.service_id AND c.cycle_start = a.cycle_start
   AND c.price_term_id = a.price_term_id AND c.quantity = a.quantity
LEFT JOIN period_states AS ps ON ps.service_id = a.service_id AND ps.cycle_start = a.cycle_start
LEFT JOIN work.service_terms AS t ON t.service_id = a.service_id

