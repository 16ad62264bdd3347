-- One row per service that was ever activated: its first activation, the price term in force
-- then and that version's trial_days, termed_cycles and auto_renew (domain.md §6), the trial
-- as the price term grants it (base_trial_end: effective but not billable until then, before
-- any extension; none when trial_once_per gave the contact's trial to another service:
-- trial_grants) and the day a regret took effect, if one did. Only a service charged per
-- cycle has a trial or a termed period: a one-time service is invoiced on activation and a
-- no-billing one never, so their trial_days and termed_cycles are not read (README).
--
-- layer: expected
-- grain: service_id
WITH first_activation AS (
    SELECT
        o.service_id,
        MIN(o.effective_on) FILTER (WHERE o.action = 'activate') AS first_activated_on,
        ARG_MIN(o.price_term_id, o.seq) FILTER (WHERE o.action = 'activate') AS price_term_id,
        MIN(o.effective_on) FILTER (WHERE o.action = 'regret') AS regretted_on
    FROM work.service_action_outcomes AS o
    WHERE o.took_effect AND o.action IN ('activate', 'regret')
    GROUP BY o.service_id
    HAVING COUNT(*) FILTER (WHERE o.action = 'activate') > 0
)

SELECT
    f.service_id,
    f.first_activated_on,
    f.price_term_id,
    CASE
        WHEN s.charging = 'per_cycle' AND COALESCE(g.trial_granted, FALSE)
            THEN f.first_activated_on + v.trial_days
        ELSE f.first_activated_on
    END AS base_trial_end,
    f.regretted_on,
    CASE WHEN s.charging = 'per_cycle' THEN v.termed_cycles END AS termed_cycles,
    v.auto_renew
FROM first_activation AS f
JOIN work.replayed_services AS s ON s.service_id = f.service_id
JOIN work.src_price_versions AS v
    ON v.price_term_id = f.price_term_id
   AND VALID_ON(f.first_activated_on, v.covers_from, v.valid_to)
LEFT JOIN work.trial_grants AS g ON g.service_id = f.service_id
