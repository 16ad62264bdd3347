-- One row per (billable service, visible applied action) as requested, before any timing rule
-- moves it: service-level actions on their service and subscription-level actions (service_id
-- null) on every billable service of the subscription, numbered req_seq in the order they were
-- asked to apply, (requested_on, recorded_at, action_id) (domain.md §5). The anchors and the
-- timing rules read the actions from here (subscription_anchors, end_of_period_actions), so
-- that neither depends on the state machine their dates feed.
--
-- layer: expected
-- grain: service_id, action_id
WITH scoped AS (
    SELECT a.*
    FROM work.src_actions_visible AS a
    WHERE a.is_applied
      AND a.subscription_id IN (SELECT subscription_id FROM work.replayed_services)
),

expanded AS (
    SELECT a.*, s.service_id AS target_service_id, s.ordered_on, FALSE AS subscription_level
    FROM scoped AS a
    JOIN work.replayed_services AS s ON s.service_id = a.service_id
    UNION ALL
    SELECT a.*, s.service_id AS target_service_id, s.ordered_on, TRUE AS subscription_level
    FROM scoped AS a
    JOIN work.replayed_services AS s ON s.subscription_id = a.subscription_id
    WHERE a.service_id IS NULL
)

SELECT
    target_service_id AS service_id,
    subscription_id,
    action_id,
    action,
    effective_on AS requested_on,
    recorded_at,
    subscription_level,
    ordered_on,
    new_product_id,
    new_price_term_id,
    new_quantity,
    days,
    until_date,
    cycles,
    billing_day AS new_billing_day,
    auto_renew,
    ROW_NUMBER() OVER (
        PARTITION BY target_service_id
        ORDER BY effective_on, recorded_at, action_id
    ) AS req_seq
FROM expanded
