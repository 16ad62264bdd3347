-- One row per (service, run of days in one state): the service's states over its whole life
-- (domain.md §4), from which its state on any date is read. Draft from ordered_on until its
-- first action takes effect; then the timeline's spans (where the days a termed service is
-- expired are already not_effective); consecutive spans of one state
-- are merged, so run_start is the date since which the service has been in that state.
-- run_end null = until further notice.
--
-- layer: expected
-- grain: service_id, run_start
-- state: service_id
WITH first_spans AS (
    SELECT service_id, MIN(seg_start) AS first_start
    FROM work.service_timeline
    GROUP BY service_id
),

spans AS (
    SELECT s.service_id, 'draft' AS state, s.ordered_on AS span_start, f.first_start AS span_end
    FROM work.replayed_services AS s
    LEFT JOIN first_spans AS f ON f.service_id = s.service_id
    WHERE f.first_start IS NULL OR s.ordered_on < f.first_start
    UNION ALL
    SELECT service_id, state, seg_start, seg_end
    FROM work.service_timeline
),

marked AS (
    SELECT
        *,
        CASE WHEN LAG(state) OVER (PARTITION BY service_id ORDER BY span_start) = state
             THEN 0 ELSE 1 END AS starts_run
    FROM spans
),

numbered AS (
    SELECT *, SUM(starts_run) OVER (
        PARTITION BY service_id ORDER BY span_start ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
    ) AS run_no
    FROM marked
)

SELECT
    service_id,
    ANY_VALUE(state) AS state,
    MIN(span_start) AS run_start,
    CASE WHEN COUNT(*) = COUNT(span_end) THEN MAX(span_end) END AS run_end
FROM numbered
GROUP BY service_id, run_no
