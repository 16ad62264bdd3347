-- One row per subscription the run computes, with its fingerprint (null when it is missing
-- from the load), why it is in scope and, for one that is only due, the as-of date its inputs
-- were last computed at (valued_from). A run of date D need only value the subscriptions for
-- which something could differ from what is already published (DEVELOPERS.md principle 3):
--   full        every subscription, on the first run, when the shared inputs (business rules,
--               currencies, see src_catalog_fingerprint) or the engine's SQL changed since the
--               last published run, or when asked (`billing run --full`);
--   changed     its fingerprint (sql/load/subscription_fingerprints.sql) differs from its
--               checkpoint's: new, changed or missing input rows, an edit of a product or
--               price term it references; or an action of it came into force (was recorded)
--               or was withdrawn (cancelled or rejected) between its checkpoint's cut-off and
--               this run's (src_action_visibility; either way round, as a simulation may go
--               back);
--   due         its checkpoint's wake date has come: a period falls due or a dated event
--               (scheduled action, end of pause, trial or term) takes effect;
--   quarantined a quarantine row names it, so that its frozen services are reported each run;
--   account     another subscription of its account is in scope and can change what the
--               account's services decide together: it changed (a contact's trials,
--               trial_once_per, and the service limits are judged over the account), a
--               service state of it changes (its checkpoint's state_wake_on has come: the
--               subscriber's state is read over all the account's services), or the account
--               is tied (src_tied_accounts: its subscriptions can take each other's trials or
--               places under a limit, so none is computed without the others). Valued whole
--               when that other one changed (a backdated activation there can take this one's
--               trial), else like a due one. In any other account, one that is only due for
--               billing, or only quarantined, decides nothing for the account and brings in
--               no other. A changed subscription that a load moved to another account (its
--               checkpoint's account_id) brings in the account it left, valued whole.
--               Every subscription of an account with a changed one is valued whole.
-- resumes: nothing the state machine computes a subscription's rows from (its services and
-- visible actions, its account's other subscriptions, the shared inputs, the engine's SQL) can
-- have changed since its checkpoint: it is neither full nor changed, nor in an account with a
-- changed one. Its machine outputs are read back from the state its last computation stored
-- (pipelines/engine/catalog.py, STATE) instead of walked again; the others replay.
-- Every other subscription would compute exactly what is already published: nothing to do.
-- A subscription that is only due has the inputs its checkpoint was computed from, so every
-- billing period that had ended by that computation's as-of date was billed in full then and
-- cannot differ now, unless one of its services was frozen then (no charges, e.g. for want of
-- a price version): the run values only the periods ending after valued_from, expected and
-- published alike (billing_periods, ledger_charge_keys), so that a daily run's cost does not
-- grow with the length of the history; not within two years of a change_billing_day (see
-- day_changes).
--
-- layer: scope
-- grain: subscription_id
WITH mode AS (
    SELECT
        COALESCE(:full_run, FALSE)
        OR l.runs = 0
        OR l.catalog_fingerprint IS DISTINCT FROM c.fingerprint
        OR l.engine_version IS DISTINCT FROM :engine_version
        -- loaded by a release that derived no fingerprints: every run is full until a load
        OR (NOT EXISTS (SELECT 1 FROM work.src_subscription_fingerprints)
            AND EXISTS (SELECT 1 FROM work.src_subscriptions)) AS is_full
    FROM work.ledger_last_run AS l
    CROSS JOIN work.src_catalog_fingerprint AS c
),

compared AS (
    SELECT
        COALESCE(f.subscription_id, k.subscription_id) AS subscription_id,
        f.fingerprint,
        k.fingerprint AS checkpoint_fingerprint,
        k.wake_on,
        k.state_wake_on,
        k.as_of AS computed_as_of
    FROM work.src_subscription_fingerprints AS f
    FULL OUTER JOIN work.ledger_checkpoints AS k
        ON k.subscription_id = f.subscription_id
),

-- the cut-offs between which an action's coming into force or withdrawal can matter to some
-- checkpoint: a cheap first filter of the actions before they meet the checkpoints
bounds AS (
    SELECT
        LEAST(CAST(MIN(as_of) + 1 AS TIMESTAMP), :cutoff) AS earliest,
        GREATEST(CAST(MAX(as_of) + 1 AS TIMESTAMP), :cutoff) AS latest
    FROM work.ledger_checkpoints
),

moments AS (
    SELECT a.subscription_id, a.in_force_from, a.withdrawn_at
    FROM work.src_action_visibility AS a
    CROSS JOIN bounds AS b
    WHERE (a.in_force_from >= b.earliest AND a.in_force_from < b.latest)
       OR (a.withdrawn_at >= b.earliest AND a.withdrawn_at < b.latest)
),

-- the subscriptions an action of which came into force or was withdrawn between the cut-off
-- of the run that computed their checkpoint (its as_of + 1 day) and this run's
moved AS (
    SELECT DISTINCT k.subscription_id
    FROM moments AS m
    JOIN work.ledger_checkpoints AS k ON k.subscription_id = m.subscription_id
    CROSS JOIN (SELECT CAST(:cutoff AS TIMESTAMP) AS cutoff) AS r
    WHERE (m.in_force_from >= LEAST(CAST(k.as_of + 1 AS TIMESTAMP), r.cutoff)
           AND m.in_force_from < GREATEST(CAST(k.as_of + 1 AS TIMESTAMP), r.cutoff))
       OR (m.withdrawn_at >= LEAST(CAST(k.as_of + 1 AS TIMESTAMP), r.cutoff)
           AND m.withdrawn_at < GREATEST(CAST(k.as_of + 1 AS TIMESTAMP), r.cutoff))
),

-- a billing-day change cuts a period short, so lines published before it was known name a
-- later cycle_end than the key now has; until such a period has surely ended (two of the
-- longest cycles after the change's date) the subscription is valued whole
day_changes AS (
    SELECT subscription_id, MAX(effective_on) AS last_on
    FROM work.src_actions_visible
    WHERE action = 'change_billing_day'
    GROUP BY subscription_id
),

quarantined AS (
    SELECT DISTINCT subscription_id
    FROM work.src_quarantine
    WHERE subscription_id IS NOT NULL
),

judged AS (
    SELECT
        c.subscription_id,
        c.fingerprint,
        CASE
            WHEN t.subscription_id IS NULL
                 AND (b.last_on IS NULL OR b.last_on + 732 <= c.computed_as_of)
                THEN c.computed_as_of
        END AS settled_as_of,
        CASE
            WHEN m.is_full THEN 'full'
            WHEN c.fingerprint IS DISTINCT FROM c.checkpoint_fingerprint
                 OR v.subscription_id IS NOT NULL THEN 'changed'
            WHEN c.wake_on <= :as_of THEN 'due'
            WHEN q.subscription_id IS NOT NULL THEN 'quarantined'
        END AS reason,
        c.state_wake_on <= :as_of AS state_due
    FROM compared AS c
    CROSS JOIN mode AS m
    LEFT JOIN quarantined AS q ON q.subscription_id = c.subscription_id
    LEFT JOIN work.ledger_frozen_then AS t ON t.subscription_id = c.subscription_id
    LEFT JOIN day_changes AS b ON b.subscription_id = c.subscription_id
    LEFT JOIN moved AS v ON v.subscription_id = c.subscription_id
),

own AS (
    SELECT
        subscription_id,
        fingerprint,
        reason,
        CASE WHEN reason = 'due' THEN settled_as_of END AS valued_from,
        reason IN ('full', 'changed') OR (reason = 'due' AND state_due) AS decides_for_account
    FROM judged
    WHERE reason IS NOT NULL
),

-- the accounts with a subscription in scope that can change what the account decides (any
-- one, in a tied account), and whether one of them changed
deciding AS (
    SELECT s.account_id, o.reason IN ('full', 'changed') AS changed
    FROM own AS o
    JOIN work.src_subscriptions AS s ON s.subscription_id = o.subscription_id
    LEFT JOIN work.src_tied_accounts AS t ON t.account_id = s.account_id
    WHERE o.decides_for_account OR t.account_id IS NOT NULL
    UNION ALL
    -- the account a changed subscription was computed in (its checkpoint's): the one above
    -- unless a load moved it, and then the trials and limit places it held there go back
    SELECT k.account_id, TRUE
    FROM own AS o
    JOIN work.ledger_checkpoints AS k ON k.subscription_id = o.subscription_id
    WHERE o.reason = 'changed'
),

accounts AS (
    SELECT account_id, BOOL_OR(changed) AS changed
    FROM deciding
    GROUP BY account_id
)

-- every subscription of an account in which one changed is valued whole and replays: a
-- backdated activation there can take its trial or its place under a limit
SELECT
    o.subscription_id,
    o.fingerprint,
    o.reason,
    CASE WHEN NOT COALESCE(a.changed, FALSE) THEN o.valued_from END AS valued_from,
    o.reason NOT IN ('full', 'changed') AND NOT COALESCE(a.changed, FALSE) AS resumes
FROM own AS o
LEFT JOIN work.src_subscriptions AS s ON s.subscription_id = o.subscription_id
LEFT JOIN accounts AS a ON a.account_id = s.account_id
UNION ALL
SELECT
    j.subscription_id,
    j.fingerprint,
    'account' AS reason,
    CASE WHEN NOT a.changed THEN j.settled_as_of END AS valued_from,
    NOT a.changed AS resumes
FROM judged AS j
JOIN work.src_subscriptions AS s ON s.subscription_id = j.subscription_id
JOIN accounts AS a ON a.account_id = s.account_id
WHERE j.reason IS NULL
