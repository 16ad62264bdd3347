-- Day `day` of the month with index `month` (MONTH_INDEX), clamped to the month's length: the
-- month-end clamp of domain.md §1 (billing day 31 gives Jan 31, Feb 28 or 29, Mar 31, Apr 30).
-- The one place it is written; every boundary and term end is computed through it.
--
-- macro: MONTH_DAY(month, day)
MAKE_DATE(
    CAST(:month // 12 AS INTEGER),
    CAST(:month % 12 + 1 AS INTEGER),
    LEAST(
        :day,
        DAY(LAST_DAY(MAKE_DATE(CAST(:month // 12 AS INTEGER), CAST(:month % 12 + 1 AS INTEGER), 1)))
    )
)
