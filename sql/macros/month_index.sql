-- The month of a date as one integer, 12 * year + month - 1, so that month arithmetic is
-- integer arithmetic (domain.md §1: boundaries come from an integer month index).
--
-- macro: MONTH_INDEX(day)
YEAR(:day) * 12 + MONTH(:day) - 1
