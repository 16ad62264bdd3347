-- One row per (service, span of days in one state under one set of terms): the half-open span
-- [seg_start, seg_end) (seg_end null = open-ended) that an action which took effect starts, up
-- to the next such action. A pause that runs out before the next action splits into its paused
-- days and the effective days after it (domain.md §5).
--
-- layer: expected
-- grain: service_id, seg_start
WITH applied AS (
    SELECT
        o.*,
        LEAD(o.effective_on) OVER (PARTITION BY o.service_id ORDER BY o.seq) AS next_on
    FROM work.service_action_outcomes AS o
    WHERE o.took_effect
),

spans AS (
    SELECT
        service_id, seq, state, product_id, price_term_id, quantity,
        effective_on AS seg_start,
        CASE
            WHEN state = 'paused' AND (next_on IS NULL OR pause_end < next_on) THEN pause_end
            ELSE next_on
        END AS seg_end
    FROM applied
    UNION ALL
    SELECT
        service_id, seq, 'effective' AS state, product_id, price_term_id, quantity,
        pause_end AS seg_start,
        next_on AS seg_end
    FROM applied
    WHERE state = 'paused' AND (next_on IS NULL OR pause_end < next_on)
)

SELECT service_id, seq, state, product_id, price_term_id, quantity, seg_start, seg_end
FROM spans
WHERE seg_end IS NULL OR seg_start < seg_end
