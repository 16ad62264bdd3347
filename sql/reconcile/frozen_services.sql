-- One row per service frozen for this run, with the reason (domain.md §11): its row, its
-- subscription, one of its actions or a price term it uses is quarantined; it has published
-- lines but is missing from the load; or a due period has no price version. A frozen service
-- gets no expected charges and no differences; its published lines stay as they are.
--
-- layer: reconcile
-- grain: service_id
WITH quarantined AS (
    SELECT table_name, subscription_id, service_id, price_term_id
    FROM work.src_quarantine
    WHERE table_name IN ('subscriptions', 'services', 'actions', 'price_terms')
),

known AS (
    SELECT service_id, subscription_id, price_term_id FROM work.billable_services
),

reasons AS (
    SELECT DISTINCT
        pk.service_id,
        CASE
            WHEN q.service_id IS NOT NULL THEN 'quarantined'
            ELSE 'missing_from_load'
        END AS reason
    FROM work.ledger_charge_keys AS pk
    LEFT JOIN known AS k ON k.service_id = pk.service_id
    LEFT JOIN (SELECT DISTINCT service_id FROM quarantined) AS q ON q.service_id = pk.service_id
    WHERE k.service_id IS NULL
    UNION ALL
    SELECT k.service_id, 'quarantined_' || q.table_name AS reason
    FROM known AS k
    JOIN quarantined AS q ON q.service_id = k.service_id
    UNION ALL
    SELECT k.service_id, 'quarantined_subscription_action' AS reason
    FROM known AS k
    JOIN quarantined AS q
        ON q.table_name = 'actions' AND q.service_id IS NULL
       AND q.subscription_id = k.subscription_id
    UNION ALL
    SELECT k.service_id, 'quarantined_price_term' AS reason
    FROM known AS k
    JOIN quarantined AS q ON q.table_name = 'price_terms' AND q.price_term_id = k.price_term_id
    UNION ALL
    SELECT service_id, 'no_price_version' AS reason
    FROM work.charge_values
    WHERE no_price_version
)

SELECT service_id, MIN(reason) AS reason
FROM reasons
GROUP BY service_id
