-- One row per grace_period action of a service (domain.md §5), with its verdict and span: it
-- covers [effective_on, until_date) or `days` days from effective_on, and takes effect when
-- that length is within grace_min_days..grace_max_days (at the versions valid on its date)
-- and the service is not draft, cancelled or regretted that day; otherwise `reason` says why
-- not. A grace period changes nothing billed (grace days are billable); the funding issue
-- reads the spans to hold back deactivation candidates.
--
-- layer: expected
-- grain: service_id, action_id
-- state: subscription_id
WITH requests AS (
    SELECT
        a.service_id,
        a.subscription_id,
        a.action_id,
        a.effective_on,
        a.subscription_level,
        COALESCE(a.effective_on + a.days, a.until_date) AS grace_to,
        a.grace_min_days,
        a.grace_max_days,
        o.state_before
    FROM work.service_actions AS a
    JOIN work.service_action_outcomes AS o ON o.service_id = a.service_id AND o.seq = a.seq
    WHERE a.action = 'grace_period'
)

SELECT
    service_id,
    subscription_id,
    action_id,
    effective_on,
    subscription_level,
    effective_on AS grace_from,
    grace_to,
    reason IS NULL AS took_effect,
    reason
FROM (
    SELECT
        r.*,
        CASE
            WHEN r.state_before IN ('draft', 'cancelled', 'regretted')
                THEN 'invalid_transition:' || r.state_before
            WHEN DATE_DIFF('day', r.effective_on, r.grace_to) < r.grace_min_days
                THEN 'grace_period_too_short'
            WHEN DATE_DIFF('day', r.effective_on, r.grace_to) > r.grace_max_days
                THEN 'grace_period_too_long'
        END AS reason
    FROM requests AS r
) AS judged
