-- One row per (billable service, visible applied action), numbered seq in the order the state
-- machine applies them: (effective_on, recorded_at, action_id) (domain.md §5), where
-- effective_on is the requested date or, for an action a timing rule moves, the end of the
-- running period (end_of_period_actions). Carries what each action is judged by: the
-- business rules valid on its date (pause limits, regret window, grace-period limits, whether
-- a trial may be extended) and the attributes of a `change`'s new price term and product.
--
-- layer: expected
-- grain: service_id, seq
WITH moved AS (
    SELECT DISTINCT service_id FROM work.end_of_period_actions
),

-- the requested order stands for services with no moved action (most of them: their actions
-- need no second sort); the others are renumbered in the order of the dates they apply on
timed AS (
    SELECT a.*, a.requested_on AS effective_on, a.req_seq AS seq
    FROM work.requested_actions AS a
    WHERE a.service_id NOT IN (SELECT service_id FROM moved)
    UNION ALL
    SELECT
        a.*,
        COALESCE(m.applies_on, a.requested_on) AS effective_on,
        ROW_NUMBER() OVER (
            PARTITION BY a.service_id
            ORDER BY COALESCE(m.applies_on, a.requested_on), a.recorded_at, a.action_id
        ) AS seq
    FROM work.requested_actions AS a
    LEFT JOIN work.end_of_period_actions AS m
        ON m.service_id = a.service_id AND m.action_id = a.action_id
    WHERE a.service_id IN (SELECT service_id FROM moved)
),

rules AS (
    SELECT key, value, valid_from, valid_to
    FROM work.src_business_rules
    WHERE key IN ('pause_max_days', 'pause_max_times_per_year', 'regret_days',
                  'grace_min_days', 'grace_max_days', 'trial_extension_allowed')
)

SELECT
    e.service_id,
    e.subscription_id,
    e.action_id,
    e.action,
    e.effective_on,
    e.requested_on,
    e.recorded_at,
    e.subscription_level,
    e.new_product_id,
    e.new_price_term_id,
    e.new_quantity,
    e.days,
    e.until_date,
    e.cycles,
    e.new_billing_day,
    e.auto_renew,
    e.ordered_on,
    CAST(max_days.value AS INTEGER) AS pause_max_days,
    CAST(max_times.value AS INTEGER) AS pause_max_times_per_year,
    CAST(regret.value AS INTEGER) AS regret_days,
    CAST(grace_min.value AS INTEGER) AS grace_min_days,
    CAST(grace_max.value AS INTEGER) AS grace_max_days,
    COALESCE(extension.value = 'true', FALSE) AS trial_extension_allowed,
    np.tier_path AS new_product_tier_path,
    nt.product_id AS new_term_product_id,
    -- a one-time or no-billing service's term has a cycle only where both have one (a `none`
    -- subscription has neither cycle nor, perhaps, a model), as the loader compares them
    (
        nt.price_term_id IS NULL
        OR COALESCE(
            nt.currency = s.currency
            AND (nt.billing_cycle = s.billing_cycle
                 OR (s.charging <> 'per_cycle'
                     AND (nt.billing_cycle IS NULL OR s.billing_cycle = 'none')))
            AND (nt.billing_model = s.billing_model OR s.billing_model IS NULL),
            FALSE)
    ) AS new_term_fits_subscription,
    e.seq
FROM timed AS e
JOIN work.replayed_services AS s ON s.service_id = e.service_id
LEFT JOIN rules AS max_days
    ON max_days.key = 'pause_max_days'
   AND VALID_ON(e.effective_on, max_days.valid_from, max_days.valid_to)
LEFT JOIN rules AS max_times
    ON max_times.key = 'pause_max_times_per_year'
   AND VALID_ON(e.effective_on, max_times.valid_from, max_times.valid_to)
LEFT JOIN rules AS regret
    ON regret.key = 'regret_days'
   AND VALID_ON(e.effective_on, regret.valid_from, regret.valid_to)
LEFT JOIN rules AS grace_min
    ON grace_min.key = 'grace_min_days'
   AND VALID_ON(e.effective_on, grace_min.valid_from, grace_min.valid_to)
LEFT JOIN rules AS grace_max
    ON grace_max.key = 'grace_max_days'
   AND VALID_ON(e.effective_on, grace_max.valid_from, grace_max.valid_to)
LEFT JOIN rules AS extension
    ON extension.key = 'trial_extension_allowed'
   AND VALID_ON(e.effective_on, extension.valid_from, extension.valid_to)
LEFT JOIN work.src_products AS np ON np.product_id = e.new_product_id
LEFT JOIN work.src_price_terms AS nt ON nt.price_term_id = e.new_price_term_id
