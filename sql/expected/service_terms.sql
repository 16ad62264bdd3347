-- One row per service that was ever activated: its first activation, the trial that follows
-- it (service_first_activations, as extended by the extension that took effect:
-- trial_extensions; effective but not billable) and, for a termed period that does not renew
-- (auto_renew = false), the day the service expires: termed_cycles cycles after its first
-- billable day, counted on that day's day of month (clamped to short months) or by whole
-- weeks (domain.md §6); and the day a regret took effect (regretted_on: nothing of the
-- service is billable, everything billed is refunded).
--
-- layer: expected
-- grain: service_id
WITH trial AS (
    SELECT
        f.service_id,
        f.first_activated_on,
        COALESCE(x.trial_end, f.base_trial_end) AS trial_end,
        f.regretted_on,
        f.termed_cycles,
        f.auto_renew,
        s.cycle_months
    FROM work.service_first_activations AS f
    JOIN work.billable_services AS s ON s.service_id = f.service_id
    LEFT JOIN work.trial_extensions AS x ON x.service_id = f.service_id AND x.took_effect
)

SELECT
    service_id,
    first_activated_on,
    trial_end,
    regretted_on,
    CASE
        WHEN auto_renew OR termed_cycles IS NULL THEN NULL
        WHEN cycle_months = 0 THEN trial_end + 7 * termed_cycles
        ELSE MONTH_DAY(MONTH_INDEX(trial_end) + termed_cycles * cycle_months, DAY(trial_end))
    END AS term_end
FROM trial
