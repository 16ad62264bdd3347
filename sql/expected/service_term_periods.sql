-- One row per (service, run of termed periods): the termed periods that follow one another
-- without a gap, from the service's first billable day or from a renew (run_start), to the
-- end of the term at which the service expires (run_end; null: it renews at every end), as
-- the chain's last step of that run leaves it (service_term_steps). From run_end the service
-- is expired, not_effective and billed nothing, until the next run's start (renewed_on; null:
-- expired for good). A service whose price term is not termed has none.
--
-- layer: expected
-- grain: service_id, run_start
WITH last_steps AS (
    SELECT
        service_id,
        origin,
        expired_on,
        auto_renew,
        CYCLES_AFTER(origin, term_no * termed_cycles, cycle_months) + ext_days AS term_end,
        ROW_NUMBER() OVER (PARTITION BY service_id, origin ORDER BY step DESC) AS from_last
    FROM work.service_term_steps
    WHERE origin IS NOT NULL
)

SELECT
    service_id,
    origin AS run_start,
    CASE WHEN expired_on IS NOT NULL THEN expired_on
         WHEN NOT auto_renew THEN term_end END AS run_end,
    LEAD(origin) OVER (PARTITION BY service_id ORDER BY origin) AS renewed_on
FROM last_steps
WHERE from_last = 1
