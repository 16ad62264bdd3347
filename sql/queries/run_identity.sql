-- One row: what decides whether a bill run for :as_of may happen and what it is called: the
-- load in force (null: nothing loaded yet), the as-of date of the last published run (a run may
-- not go back before it) and how many runs of :as_of there were (the next is BR-<as_of>-<n+1>,
-- so a crashed run's id is reused).
--
-- layer: queries
SELECT
    (
        SELECT load_id FROM upstream.loads ORDER BY loaded_at DESC, load_id DESC LIMIT 1
    ) AS load_id,
    (
        SELECT MAX(as_of) FROM published.bill_runs WHERE mode = 'run' AND status = 'published'
    ) AS last_published_as_of,
    (SELECT COUNT(*) FROM published.bill_runs WHERE as_of = :as_of) AS runs_on_date
