-- One row per upstream action visible to the run for :as_of (domain.md §3): recorded before
-- the end of the as-of date, and in force at that cut-off (executed or scheduled, or cancelled /
-- rejected only after the cut-off). `is_applied` marks the kinds this release applies
-- (src_applied_features); the others are loaded, validated and counted as deferred.
--
-- layer: sources
-- grain: action_id
-- materialized: view
WITH applied AS (
    SELECT name AS action FROM work.src_applied_features WHERE kind = 'action'
)

SELECT
    a.action_id,
    a.subscription_id,
    a.service_id,
    a.action,
    a.effective_on,
    a.recorded_at,
    a.new_product_id,
    a.new_price_term_id,
    a.new_quantity,
    a.days,
    a.until_date,
    a.cycles,
    a.billing_day,
    a.auto_renew,
    a.action IN (SELECT action FROM applied) AS is_applied
FROM upstream.actions AS a
WHERE a.recorded_at < :cutoff
  AND (
      a.status IN ('executed', 'scheduled')
      OR (a.status IN ('cancelled', 'rejected') AND a.status_changed_at >= :cutoff)
  )
