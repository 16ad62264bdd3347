-- One row per service that was ever activated: its first activation, the trial that follows
-- it (service_first_activations, as extended by the extension that took effect:
-- trial_extensions; effective but not billable; its end is the first billable day, from
-- which a termed period counts its cycles: service_term_steps) and the day a regret took
-- effect (regretted_on: nothing of the service is billable, everything billed is refunded).
--
-- layer: expected
-- grain: service_id
-- state: service_id
SELECT
    f.service_id,
    f.first_activated_on,
    COALESCE(x.trial_end, f.base_trial_end) AS trial_end,
    f.regretted_on
FROM work.service_first_activations AS f
LEFT JOIN work.trial_extensions AS x ON x.service_id = f.service_id AND x.took_effect
