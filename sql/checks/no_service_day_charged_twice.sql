-- One row per (service, billing period) the run's lines touch that would be charged net more
-- than once once they are published: net billed days of its `period` charge keys (published,
-- from the ledger, plus this run's invoice lines minus its credit lines) above the period's
-- days, or a charge key (of any charge) whose net amount is negative. A key whose net amount
-- is what it should be (charge_values) counts the days it should have: when its days change
-- by less than one minor unit's worth (a price of 1 JPY a half year, cut short by a change),
-- no line records the change, and its published days would count days it no longer bills. A
-- one-time charge is a key of its own one-day period (charge_periods), so it is charged twice
-- when its net days exceed 1.
--
-- layer: checks
-- grain: service_id, cycle_start
WITH touched AS (
    SELECT service_id, cycle_start FROM work.invoice_lines
    UNION
    SELECT service_id, cycle_start FROM work.credit_note_lines
),

lines AS (
    SELECT
        k.service_id, k.cycle_start, k.price_term_id, k.quantity, k.charge,
        k.published_days AS days, k.period_days, k.published_minor AS amount_minor
    FROM work.ledger_charge_keys AS k
    JOIN touched AS t ON t.service_id = k.service_id AND t.cycle_start = k.cycle_start
    UNION ALL
    SELECT
        l.service_id, l.cycle_start, l.price_term_id, l.quantity, l.charge, l.days,
        l.period_days, AMOUNT_TO_MINOR(l.amount, c.minor_factor)
    FROM work.invoice_lines AS l
    JOIN work.src_currencies AS c ON c.currency = l.currency
    UNION ALL
    SELECT
        l.service_id, l.cycle_start, l.price_term_id, l.quantity, l.charge, -l.days,
        l.period_days, -AMOUNT_TO_MINOR(l.amount, c.minor_factor)
    FROM work.credit_note_lines AS l
    JOIN work.src_currencies AS c ON c.currency = l.currency
),

net AS (
    SELECT
        service_id, cycle_start, price_term_id, quantity, charge,
        SUM(amount_minor) AS amount_minor, SUM(days) AS days, MAX(period_days) AS period_days
    FROM lines
    GROUP BY service_id, cycle_start, price_term_id, quantity, charge
),

keys AS (
    SELECT
        n.service_id,
        n.cycle_start,
        n.amount_minor,
        CASE
            WHEN n.charge <> 'period' THEN 0
            WHEN v.expected_minor = n.amount_minor THEN v.days
            ELSE n.days
        END AS days,
        CASE WHEN n.charge = 'period' THEN n.period_days ELSE 0 END AS period_days
    FROM net AS n
    LEFT JOIN work.charge_values AS v
        ON v.service_id = n.service_id AND v.cycle_start = n.cycle_start
       AND v.price_term_id = n.price_term_id AND v.quantity = n.quantity
       AND v.charge = n.charge
)

SELECT
    service_id,
    cycle_start,
    SUM(days) AS net_days,
    MAX(period_days) AS period_days,
    MIN(amount_minor) AS lowest_key_amount_minor
FROM keys
GROUP BY service_id, cycle_start
HAVING SUM(days) > MAX(period_days) OR MIN(amount_minor) < 0
