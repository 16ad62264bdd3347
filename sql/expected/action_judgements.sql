-- One row per (requested action, service) that the rules refused, whatever its date: the
-- action takes no effect on that service (domain.md §5), with the reason and the date it was
-- to take effect. The state machine judges most actions (service_action_outcomes); trial
-- extensions are judged against the trial (trial_extensions), grace periods against their
-- limits (grace_period_spans), bills in advance against the state, billing model and trial
-- (advance_billings), billing-day changes against the subscription (billing_day_changes),
-- renew, set_auto_renew and extend_term against the chain of termed periods
-- (service_term_steps). Other subscription-level actions apply to the services for which they
-- are valid and refuse nothing, except on a service whose order the service limit refused:
-- the subscription's activation is refused for it. Which of these a run publishes, and when,
-- is action_rejections'.
--
-- layer: expected
-- grain: action_id, service_id
-- state: subscription_id
WITH judged AS (
    SELECT action_id, service_id, reason, took_effect, subscription_level, effective_on
    FROM work.service_action_outcomes
    WHERE action NOT IN ('extend_trial', 'grace_period', 'bill_in_advance', 'change_billing_day',
                         'renew', 'set_auto_renew', 'extend_term')
    UNION ALL
    SELECT action_id, service_id, reason, took_effect, subscription_level, effective_on
    FROM work.trial_extensions
    UNION ALL
    SELECT action_id, service_id, reason, took_effect, subscription_level, effective_on
    FROM work.grace_period_spans
    UNION ALL
    SELECT action_id, service_id, reason, took_effect, subscription_level, effective_on
    FROM work.advance_billings
    UNION ALL
    -- a billing day belongs to the subscription: its refusal is published for every service
    -- the action reaches, also when it names none
    SELECT c.action_id, a.service_id, c.reason, c.took_effect, FALSE, c.effective_on
    FROM work.billing_day_changes AS c
    JOIN work.requested_actions AS a ON a.action_id = c.action_id
    UNION ALL
    SELECT action_id, service_id, reason, took_effect, subscription_level, effective_on
    FROM work.service_term_steps
    WHERE step > 0
)

SELECT DISTINCT
    o.action_id,
    o.service_id,
    s.subscription_id,
    o.reason,
    o.effective_on
FROM judged AS o
JOIN work.replayed_services AS s ON s.service_id = o.service_id
WHERE NOT o.took_effect
  AND (NOT o.subscription_level OR o.reason = 'service_limit')
