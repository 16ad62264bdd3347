-- One row per upstream action with the moments its visibility can change (domain.md §3): it
-- is in force from its recorded_at and, when it was cancelled or rejected, until its
-- status_changed_at (only withdrawn actions have one, models/actions.py). A run with cut-off
-- C sees it when in_force_from < C and it is not withdrawn before C (src_actions_visible),
-- so what a subscription's runs at two cut-offs see differs only if one of these moments
-- falls between them (run_scope). A withdrawn action that does not say when is never in
-- force; its recording still counts as a moment here, which at most computes its
-- subscription once more than needed.
--
-- layer: sources
-- grain: action_id
-- materialized: view
SELECT
    action_id,
    subscription_id,
    recorded_at AS in_force_from,
    status_changed_at AS withdrawn_at
FROM upstream.actions
