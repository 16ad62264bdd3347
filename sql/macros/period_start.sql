-- The start of period `k` of a subscription's anchors (domain.md §1): weekly periods
-- (cycle_months = 0) start on the ISO weekday `billing_day` (1970-01-05 was a Monday),
-- month-based ones on day `billing_day`, clamped, of month anchor_month + k * cycle_months.
-- Period k ends where period k + 1 starts.
--
-- macro: PERIOD_START(k, cycle_months, anchor_month, billing_day)
CASE
    WHEN :cycle_months = 0 THEN DATE '1970-01-05' + CAST(:billing_day - 1 + 7 * :k AS INTEGER)
    ELSE MONTH_DAY(:anchor_month + :k * :cycle_months, :billing_day)
END
