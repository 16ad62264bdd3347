-- One row per (service, span of billable days under one set of terms): the effective spans of
-- the timeline (where an expired termed service is already not_effective) less the trial
-- (effective but free); a regretted service has none at all (domain.md §5). Only services
-- charged per cycle have segments (a one-time charge is one_time_charges; a no-billing
-- service has none). seg_end null = billable until further notice.
--
-- layer: expected
-- grain: service_id, seg_start
-- state: subscription_id
SELECT
    tl.service_id,
    s.subscription_id,
    tl.product_id,
    tl.price_term_id,
    tl.quantity,
    GREATEST(tl.seg_start, t.trial_end) AS seg_start,
    tl.seg_end
FROM work.service_timeline AS tl
JOIN work.service_terms AS t ON t.service_id = tl.service_id
JOIN work.replayed_services AS s ON s.service_id = tl.service_id
WHERE tl.state = 'effective'
  AND s.charging = 'per_cycle'
  AND t.regretted_on IS NULL
  AND (tl.seg_end IS NULL OR tl.seg_end > t.trial_end)
