-- The day `cycles` billing cycles after `day` (cycle_months = 0: weekly): counted on day's
-- day of month, clamped to short months (MONTH_DAY), or by whole weeks. How a termed period's
-- end is counted from its start (domain.md §6).
--
-- macro: CYCLES_AFTER(day, cycles, cycle_months)
CASE
    WHEN :cycle_months = 0 THEN :day + CAST(7 * :cycles AS INTEGER)
    ELSE MONTH_DAY(MONTH_INDEX(:day) + :cycles * :cycle_months, DAY(:day))
END
