-- One row per (service, visible applied action): service-level actions on their service and
-- subscription-level actions (service_id null) on every billable service of the subscription,
-- numbered in the order they apply: (effective_on, recorded_at, action_id) (domain.md §5).
-- Carries what the state machine needs to judge each action: the pause limits valid on its
-- date and the attributes of a `change`'s new price term and product.
WITH expanded AS (
    SELECT a.*, a.service_id AS target_service_id, FALSE AS subscription_level
    FROM work.stg_actions_visible AS a
    JOIN work.int_run_scope AS r ON r.subscription_id = a.subscription_id
    WHERE a.is_applied AND a.service_id IS NOT NULL
    UNION ALL
    SELECT a.*, s.service_id AS target_service_id, TRUE AS subscription_level
    FROM work.stg_actions_visible AS a
    JOIN work.int_billable_services AS s ON s.subscription_id = a.subscription_id
    WHERE a.is_applied AND a.service_id IS NULL
),

rules AS (
    SELECT key, CAST(value AS INTEGER) AS value, valid_from, valid_to
    FROM work.stg_business_rules
    WHERE key IN ('pause_max_days', 'pause_max_times_per_year')
),

new_terms AS (
    SELECT DISTINCT price_term_id, product_id, currency, billing_cycle, billing_model
    FROM upstream.price_terms
)

SELECT
    e.target_service_id AS service_id,
    e.subscription_id,
    e.action_id,
    e.action,
    e.effective_on,
    e.recorded_at,
    e.subscription_level,
    e.new_product_id,
    e.new_price_term_id,
    e.new_quantity,
    e.days,
    s.ordered_on,
    COALESCE(max_days.value, 90) AS pause_max_days,
    COALESCE(max_times.value, 2) AS pause_max_times_per_year,
    np.tier_path AS new_product_tier_path,
    nt.product_id AS new_term_product_id,
    (
        nt.price_term_id IS NULL
        OR (nt.currency = s.currency AND nt.billing_cycle = s.billing_cycle
            AND nt.billing_model = s.billing_model)
    ) AS new_term_fits_subscription,
    ROW_NUMBER() OVER (
        PARTITION BY e.target_service_id
        ORDER BY e.effective_on, e.recorded_at, e.action_id
    ) AS seq
FROM expanded AS e
JOIN work.int_billable_services AS s ON s.service_id = e.target_service_id
LEFT JOIN rules AS max_days
    ON max_days.key = 'pause_max_days' AND max_days.valid_from <= e.effective_on
   AND (max_days.valid_to IS NULL OR e.effective_on < max_days.valid_to)
LEFT JOIN rules AS max_times
    ON max_times.key = 'pause_max_times_per_year' AND max_times.valid_from <= e.effective_on
   AND (max_times.valid_to IS NULL OR e.effective_on < max_times.valid_to)
LEFT JOIN upstream.products AS np ON np.product_id = e.new_product_id
LEFT JOIN new_terms AS nt ON nt.price_term_id = e.new_price_term_id
