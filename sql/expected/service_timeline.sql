-- One row per (service, span of days in one state under one set of terms): the half-open span
-- [seg_start, seg_end) (seg_end null = open-ended) that an action which took effect starts, up
-- to the next such action. A pause that runs out before the next action splits into its paused
-- days and the effective days after it (domain.md §5). The days a termed service is expired
-- (from the end of a term it does not renew at to a renew: service_term_periods) are
-- not_effective where the actions leave it effective or paused; a span is cut where they begin
-- and end.
--
-- layer: expected
-- grain: service_id, seg_start
-- state: service_id
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
),

walked AS (
    SELECT service_id, seq, state, product_id, price_term_id, quantity, seg_start, seg_end
    FROM spans
    WHERE seg_end IS NULL OR seg_start < seg_end
),

expired AS (
    SELECT service_id, run_end AS gap_start, renewed_on AS gap_end
    FROM work.service_term_periods
    WHERE run_end IS NOT NULL AND (renewed_on IS NULL OR run_end < renewed_on)
),

-- a service that expires: its days cut at every span and expiry boundary
cuts AS (
    SELECT service_id, seg_start AS cut_on
    FROM walked
    WHERE service_id IN (SELECT service_id FROM expired)
    UNION
    SELECT service_id, gap_start FROM expired
    UNION
    SELECT service_id, gap_end FROM expired WHERE gap_end IS NOT NULL
),

pieces AS (
    SELECT
        service_id,
        cut_on AS seg_start,
        LEAD(cut_on) OVER (PARTITION BY service_id ORDER BY cut_on) AS seg_end
    FROM cuts
)

SELECT service_id, seq, state, product_id, price_term_id, quantity, seg_start, seg_end
FROM walked
WHERE service_id NOT IN (SELECT service_id FROM expired)
UNION ALL
SELECT
    p.service_id,
    w.seq,
    CASE WHEN x.service_id IS NOT NULL AND w.state IN ('effective', 'paused')
         THEN 'not_effective' ELSE w.state END AS state,
    w.product_id,
    w.price_term_id,
    w.quantity,
    p.seg_start,
    p.seg_end
FROM pieces AS p
JOIN walked AS w
    ON w.service_id = p.service_id AND w.seg_start <= p.seg_start
   AND (w.seg_end IS NULL OR p.seg_start < w.seg_end)
LEFT JOIN expired AS x
    ON x.service_id = p.service_id AND x.gap_start <= p.seg_start
   AND (x.gap_end IS NULL OR p.seg_start < x.gap_end)
