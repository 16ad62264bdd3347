-- One row per (published run with an as-of date in [:first, :last], currency): the payment
-- requests it published to send and their amount.
--
-- layer: queries
SELECT r.bill_run_id, r.as_of, p.currency, COUNT(*) AS requests, SUM(p.amount) AS amount
FROM published.payment_requests AS p
JOIN published.bill_runs AS r USING (bill_run_id)
WHERE r.mode = 'run' AND r.status = 'published' AND r.as_of BETWEEN :first AND :last
GROUP BY r.bill_run_id, r.as_of, p.currency
ORDER BY r.as_of, r.bill_run_id, p.currency
