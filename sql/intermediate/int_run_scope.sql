-- One row per subscription the run computes, with its fingerprint (null when it is missing
-- from the load) and why it is in scope. A run of date D need only value the subscriptions for
-- which something could differ from what is already published (DEVELOPERS.md principle 3):
--   full        every subscription, on the first run, when the shared inputs (business rules,
--               currencies, see stg_catalog_fingerprint) or the engine's SQL changed since the
--               last published run, or when asked (`billing run --full`);
--   changed     its fingerprint differs from its checkpoint: new, changed or missing input rows,
--               actions recorded since, actions cancelled since, an edit of a product or price
--               term it references;
--   due         its checkpoint's wake date has come: a period falls due or a dated event
--               (scheduled action, end of pause, trial or term) takes effect;
--   quarantined a quarantine row names it, so that its frozen services are reported each run.
-- Every other subscription would compute exactly what is already published: nothing to do.
WITH last_run AS (
    SELECT
        COUNT(*) AS runs,
        ARG_MAX(catalog_fingerprint, finished_at) AS catalog_fingerprint,
        ARG_MAX(engine_version, finished_at) AS engine_version
    FROM published.bill_runs
    WHERE mode = 'run' AND status = 'published'
),

mode AS (
    SELECT
        COALESCE(:full_run, FALSE)
        OR l.runs = 0
        OR l.catalog_fingerprint IS DISTINCT FROM c.fingerprint
        OR l.engine_version IS DISTINCT FROM :engine_version AS is_full
    FROM last_run AS l
    CROSS JOIN work.stg_catalog_fingerprint AS c
),

compared AS (
    SELECT
        COALESCE(f.subscription_id, k.subscription_id) AS subscription_id,
        f.fingerprint,
        k.fingerprint AS checkpoint_fingerprint,
        k.wake_on
    FROM work.stg_subscription_fingerprints AS f
    FULL OUTER JOIN published.subscription_checkpoints AS k
        ON k.subscription_id = f.subscription_id
),

quarantined AS (
    SELECT DISTINCT subscription_id
    FROM upstream.quarantine
    WHERE subscription_id IS NOT NULL
),

judged AS (
    SELECT
        c.subscription_id,
        c.fingerprint,
        CASE
            WHEN m.is_full THEN 'full'
            WHEN c.fingerprint IS DISTINCT FROM c.checkpoint_fingerprint THEN 'changed'
            WHEN c.wake_on <= :as_of THEN 'due'
            WHEN q.subscription_id IS NOT NULL THEN 'quarantined'
        END AS reason
    FROM compared AS c
    CROSS JOIN mode AS m
    LEFT JOIN quarantined AS q ON q.subscription_id = c.subscription_id
)

SELECT subscription_id, fingerprint, reason
FROM judged
WHERE reason IS NOT NULL
