-- One row per business-rule key the engine reads, with its documented default (domain.md):
-- the value in force on any date no upstream version covers. The one place defaults are
-- written.
--
-- layer: sources
-- grain: key
-- materialized: view
SELECT key, value
FROM (
    VALUES
        ('default_billing_day', '1'),
        ('default_billing_weekday', '1'),
        ('pause_max_days', '90'),
        ('pause_max_times_per_year', '2'),
        ('payment_terms_days', '14'),
        ('downgrade_timing', 'immediate'),
        ('cancel_out_of_contract', 'immediate'),
        ('regret_days', '14'),
        ('trial_extension_allowed', 'false'),
        ('grace_min_days', '1'),
        ('grace_max_days', '30'),
        ('trial_once_per', 'service'),
        ('cancel_in_contract', 'immediate')
) AS d (key, value)
