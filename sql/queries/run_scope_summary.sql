-- One row: whether the run in the work catalog computes every subscription (run_scope, reason
-- full), how many it computes and how many of those resume (run_scope.resumes): a full run
-- rebuilds the stored state, one with none resuming reads none, one with none replaying
-- stores none.
--
-- layer: queries
SELECT
    COALESCE(BOOL_AND(reason = 'full'), FALSE) AS is_full,
    COUNT(*) AS subscriptions,
    COUNT(*) FILTER (WHERE resumes) AS resuming
FROM work.run_scope
