-- One row per feature of the input this release applies: an action kind, a product kind or a
-- business-rule key (with `value` set, only that value of the rule is applied). Everything
-- loaded and not listed here is counted as deferred by the run (bill_run_deferred). A
-- business-rule name ending in `_` is a prefix: it applies every key it starts (the service
-- limits, one key per classification). The one list of what is applied.
--
-- layer: sources
-- grain: kind, name, value
-- materialized: view
SELECT kind, name, value
FROM (
    VALUES
        ('action', 'activate', NULL),
        ('action', 'deactivate', NULL),
        ('action', 'pause', NULL),
        ('action', 'resume', NULL),
        ('action', 'cancel', NULL),
        ('action', 'change', NULL),
        ('action', 'regret', NULL),
        ('action', 'extend_trial', NULL),
        ('action', 'grace_period', NULL),
        ('action', 'bill_in_advance', NULL),
        ('action', 'change_billing_day', NULL),
        ('action', 'renew', NULL),
        ('action', 'set_auto_renew', NULL),
        ('action', 'extend_term', NULL),
        ('product_kind', 'termed', NULL),
        ('product_kind', 'device', NULL),
        ('product_kind', 'one_time', NULL),
        ('product_kind', 'no_billing', NULL),
        ('business_rule', 'default_billing_day', NULL),
        ('business_rule', 'default_billing_weekday', NULL),
        ('business_rule', 'pause_max_days', NULL),
        ('business_rule', 'pause_max_times_per_year', NULL),
        ('business_rule', 'payment_terms_days', NULL),
        ('business_rule', 'regret_days', NULL),
        ('business_rule', 'trial_extension_allowed', NULL),
        ('business_rule', 'grace_min_days', NULL),
        ('business_rule', 'grace_max_days', NULL),
        ('business_rule', 'trial_once_per', NULL),
        ('business_rule', 'service_limit_', NULL),
        ('business_rule', 'downgrade_timing', 'immediate'),
        ('business_rule', 'downgrade_timing', 'end_of_period'),
        ('business_rule', 'cancel_out_of_contract', 'immediate'),
        ('business_rule', 'cancel_out_of_contract', 'end_of_period'),
        ('business_rule', 'cancel_in_contract', 'immediate'),
        ('business_rule', 'cancel_in_contract', 'end_of_contract')
) AS f (kind, name, value)
