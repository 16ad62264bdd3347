-- One row per (service, applied action) with its outcome as the service's own actions decide
-- it: the state before and after, whether the action took effect or why not, and the
-- service's terms (product, price term, quantity) after it. The state machine of domain.md §5
-- walks each service's actions in order; a pause ends by itself after its days; a regret is
-- judged against the first activation, whose date the walk carries. The walk is a recursive
-- CTE: one step per action ordinal, all services at once. The account's service limit, which
-- needs every service's walk, is laid over it in service_action_outcomes.
--
-- layer: expected
-- grain: service_id, seq
WITH RECURSIVE walk AS (
    SELECT
        s.service_id,
        CAST(0 AS BIGINT) AS seq,
        CAST(NULL AS VARCHAR) AS action_id,
        CAST(NULL AS VARCHAR) AS action,
        CAST(NULL AS DATE) AS effective_on,
        FALSE AS subscription_level,
        TRUE AS took_effect,
        CAST(NULL AS VARCHAR) AS reason,
        CAST(NULL AS VARCHAR) AS state_before,
        'draft' AS state,
        CAST(NULL AS DATE) AS pause_end,
        s.product_id,
        s.price_term_id,
        s.quantity,
        s.tier_path,
        -1 AS pause_year,
        0 AS pauses_in_year,
        CAST(NULL AS DATE) AS first_activated_on
    FROM work.replayed_services AS s
    WHERE s.service_id IN (SELECT service_id FROM work.service_actions)

    UNION ALL

    SELECT
        j.service_id,
        j.seq,
        j.action_id,
        j.action,
        j.effective_on,
        j.subscription_level,
        j.reason IS NULL AS took_effect,
        j.reason,
        j.state_before,
        CASE
            WHEN j.reason IS NOT NULL THEN j.state_before
            WHEN j.action = 'activate' THEN 'effective'
            WHEN j.action = 'deactivate' THEN 'not_effective'
            WHEN j.action = 'pause' THEN 'paused'
            WHEN j.action = 'resume' THEN 'effective'
            WHEN j.action = 'cancel' THEN 'cancelled'
            WHEN j.action = 'regret' THEN 'regretted'
            ELSE j.state_before
        END AS state,
        CASE
            WHEN j.reason IS NULL AND j.action = 'pause' THEN j.effective_on + j.days
            WHEN j.state_before = 'paused' THEN j.prev_pause_end
        END AS pause_end,
        CASE WHEN j.reason IS NULL THEN j.next_product_id ELSE j.prev_product_id END,
        CASE WHEN j.reason IS NULL THEN j.next_price_term_id ELSE j.prev_price_term_id END,
        CASE WHEN j.reason IS NULL THEN j.next_quantity ELSE j.prev_quantity END,
        CASE WHEN j.reason IS NULL THEN j.next_tier_path ELSE j.prev_tier_path END,
        CASE
            WHEN j.reason IS NULL AND j.action = 'pause' THEN YEAR(j.effective_on)
            ELSE j.prev_pause_year
        END AS pause_year,
        CASE
            WHEN j.reason IS NULL AND j.action = 'pause' THEN j.pauses_this_year + 1
            ELSE j.prev_pauses_in_year
        END AS pauses_in_year,
        CASE
            WHEN j.reason IS NULL AND j.action = 'activate' AND j.prev_first_activated_on IS NULL
                THEN j.effective_on
            ELSE j.prev_first_activated_on
        END AS first_activated_on
    FROM (
        SELECT
            k.*,
            CASE
                WHEN k.action = 'activate' AND k.effective_on < k.ordered_on
                    THEN 'before_ordered_on'
                WHEN k.action = 'activate' AND k.state_before NOT IN ('draft', 'not_effective')
                    THEN 'invalid_transition:' || k.state_before
                WHEN k.action IN ('deactivate', 'pause') AND k.state_before <> 'effective'
                    THEN 'invalid_transition:' || k.state_before
                WHEN k.action = 'resume' AND k.state_before <> 'paused'
                    THEN 'invalid_transition:' || k.state_before
                WHEN k.action IN ('cancel', 'change')
                     AND k.state_before IN ('cancelled', 'regretted')
                    THEN 'invalid_transition:' || k.state_before
                WHEN k.action = 'regret' AND k.state_before IN ('draft', 'cancelled', 'regretted')
                    THEN 'invalid_transition:' || k.state_before
                WHEN k.action = 'regret'
                     AND k.effective_on > k.prev_first_activated_on + k.regret_days
                    THEN 'regret_window'
                WHEN k.action = 'pause' AND k.days > k.pause_max_days THEN 'pause_max_days'
                WHEN k.action = 'pause' AND k.pauses_this_year >= k.pause_max_times_per_year
                    THEN 'pause_max_times_per_year'
                WHEN k.action = 'change' AND NOT (
                    k.new_term_fits_subscription
                    AND (k.new_product_id IS NULL OR (
                        k.new_price_term_id IS NOT NULL
                        AND k.prev_tier_path IS NOT NULL
                        AND k.new_product_tier_path = k.prev_tier_path))
                    AND (k.new_price_term_id IS NULL
                         OR k.new_term_product_id = k.next_product_id)
                ) THEN 'change_incompatible'
            END AS reason
        FROM (
            SELECT
                a.service_id,
                a.seq,
                a.action_id,
                a.action,
                a.effective_on,
                a.subscription_level,
                a.ordered_on,
                a.days,
                a.pause_max_days,
                a.pause_max_times_per_year,
                a.regret_days,
                a.new_product_id,
                a.new_price_term_id,
                a.new_term_product_id,
                a.new_product_tier_path,
                a.new_term_fits_subscription,
                CASE
                    WHEN w.state = 'paused' AND w.pause_end <= a.effective_on THEN 'effective'
                    ELSE w.state
                END AS state_before,
                w.pause_end AS prev_pause_end,
                w.product_id AS prev_product_id,
                w.price_term_id AS prev_price_term_id,
                w.quantity AS prev_quantity,
                w.tier_path AS prev_tier_path,
                w.pause_year AS prev_pause_year,
                w.pauses_in_year AS prev_pauses_in_year,
                w.first_activated_on AS prev_first_activated_on,
                CASE
                    WHEN w.pause_year = YEAR(a.effective_on) THEN w.pauses_in_year ELSE 0
                END AS pauses_this_year,
                CASE WHEN a.action = 'change' THEN COALESCE(a.new_product_id, w.product_id)
                     ELSE w.product_id END AS next_product_id,
                CASE WHEN a.action = 'change' THEN COALESCE(a.new_price_term_id, w.price_term_id)
                     ELSE w.price_term_id END AS next_price_term_id,
                CASE WHEN a.action = 'change' THEN COALESCE(a.new_quantity, w.quantity)
                     ELSE w.quantity END AS next_quantity,
                CASE WHEN a.action = 'change' AND a.new_product_id IS NOT NULL
                     THEN a.new_product_tier_path ELSE w.tier_path END AS next_tier_path
            FROM walk AS w
            JOIN work.service_actions AS a
                ON a.service_id = w.service_id AND a.seq = w.seq + 1
        ) AS k
    ) AS j
)

SELECT
    service_id, seq, action_id, action, effective_on, subscription_level, took_effect,
    reason, state_before, state, pause_end, product_id, price_term_id, quantity
FROM walk
WHERE seq > 0
