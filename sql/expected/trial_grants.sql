-- One row per billable service with a visible activation (not dated before its ordered_on):
-- its first activation as requested, the price term in force then (as the changes requested
-- before it leave; the term whose contract it agrees, service_contracts) and the trial that term's version valid on that day grants it, after
-- `trial_once_per` (domain.md §6; read at the version valid on the activation): a contact gets
-- a product's trial once (`service`, the default) or one trial at all (`contact`). Of the
-- account's services whose terms grant a trial, the one activated first (then by service_id)
-- among those of the same product, or of any product, keeps it (trial_granted); the others
-- are billable from their activation. Only a service charged per cycle has a trial (a
-- one-time service is invoiced on activation). Read from the actions as requested, like F
-- (subscription_anchors), so that the anchors and the trials agree and never move when a later
-- action changes which activation takes effect. run_scope computes an account's
-- subscriptions together.
--
-- layer: expected
-- grain: service_id
WITH activations AS (
    SELECT service_id, MIN(req_seq) AS req_seq, MIN(requested_on) AS first_activated_on
    FROM work.requested_actions
    WHERE action = 'activate' AND requested_on >= ordered_on
    GROUP BY service_id
),

-- the price term a change requested before the first activation leaves, if any
changed_terms AS (
    SELECT f.service_id, ARG_MAX(c.new_price_term_id, c.req_seq) AS price_term_id
    FROM activations AS f
    JOIN work.requested_actions AS c
        ON c.service_id = f.service_id AND c.req_seq < f.req_seq
    WHERE c.action = 'change' AND c.new_price_term_id IS NOT NULL
    GROUP BY f.service_id
),

terms AS (
    SELECT
        f.service_id,
        f.first_activated_on,
        s.account_id,
        v.price_term_id,
        v.product_id,
        CASE WHEN s.charging = 'per_cycle' THEN v.trial_days ELSE 0 END AS trial_days,
        COALESCE(r.value, 'service') = 'contact' AS once_per_contact
    FROM activations AS f
    JOIN work.replayed_services AS s ON s.service_id = f.service_id
    LEFT JOIN changed_terms AS c ON c.service_id = f.service_id
    JOIN work.src_price_versions AS v
        ON v.price_term_id = COALESCE(c.price_term_id, s.price_term_id)
       AND VALID_ON(f.first_activated_on, v.covers_from, v.valid_to)
    LEFT JOIN work.src_business_rules AS r
        ON r.key = 'trial_once_per'
       AND VALID_ON(f.first_activated_on, r.valid_from, r.valid_to)
),

-- each trial's place among the account's trials of the same product, and of any product
ranked AS (
    SELECT
        service_id,
        ROW_NUMBER() OVER (PARTITION BY account_id, product_id
                           ORDER BY first_activated_on, service_id) AS product_rank,
        ROW_NUMBER() OVER (PARTITION BY account_id
                           ORDER BY first_activated_on, service_id) AS contact_rank
    FROM terms
    WHERE trial_days > 0
)

SELECT
    t.service_id,
    t.first_activated_on,
    t.price_term_id,
    COALESCE(
        CASE WHEN t.once_per_contact THEN r.contact_rank ELSE r.product_rank END = 1, FALSE
    ) AS trial_granted,
    CASE
        WHEN CASE WHEN t.once_per_contact THEN r.contact_rank ELSE r.product_rank END = 1
            THEN t.trial_days
        ELSE 0
    END AS trial_days
FROM terms AS t
LEFT JOIN ranked AS r ON r.service_id = t.service_id
