-- One row per service action, effective by :as_of, that the rules forbid and that no earlier
-- run published: the action takes no effect (domain.md §5). The state machine judges most
-- actions (service_action_outcomes); trial extensions are judged against the trial
-- (trial_extensions), grace periods against their limits (grace_period_spans), bills in
-- advance against the state, billing model and trial (advance_billings), billing-day changes
-- against the subscription (billing_day_changes), renew, set_auto_renew and extend_term
-- against the chain of termed periods (service_term_steps). Other subscription-level actions
-- apply to the services for which they are valid and reject nothing, except on a service
-- whose order the service limit refused: the subscription's activation is refused for it.
--
-- layer: publish
-- grain: action_id, service_id
-- published: append
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
    o.reason,
    :bill_run_id AS bill_run_id
FROM judged AS o
LEFT JOIN work.ledger_rejections AS r
    ON r.action_id = o.action_id AND r.service_id = o.service_id
LEFT JOIN work.frozen_services AS f ON f.service_id = o.service_id
WHERE NOT o.took_effect
  AND (NOT o.subscription_level OR o.reason = 'service_limit')
  AND o.effective_on <= :as_of
  AND r.action_id IS NULL
  AND f.service_id IS NULL
