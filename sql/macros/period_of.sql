-- The index k of the period of a subscription's anchors that holds `day`:
-- PERIOD_START(k) <= day < PERIOD_START(k + 1). A month-based day belongs to the period
-- starting in its month, or to the one before when it falls before that month's boundary.
-- (NULLIF keeps an engine that folds constants from dividing by a weekly cycle's 0 months.)
--
-- macro: PERIOD_OF(day, cycle_months, anchor_month, billing_day)
CASE
    WHEN :cycle_months = 0
        THEN (DATE_DIFF('day', DATE '1970-01-05', :day) - (:billing_day - 1)) // 7
    ELSE (MONTH_INDEX(:day) - :anchor_month) // NULLIF(:cycle_months, 0)
        - CASE
            WHEN :day < MONTH_DAY(
                :anchor_month + ((MONTH_INDEX(:day) - :anchor_month) // NULLIF(:cycle_months, 0))
                * :cycle_months,
                :billing_day
            ) THEN 1
            ELSE 0
        END
END
