-- One row per extend_trial action of a service (domain.md §5), with its verdict: it takes
-- effect when `trial_extension_allowed` (at the version valid on its date) is true, the
-- service is in its trial that day (first activation <= date < the trial's end) and it is the
-- first such extension of the service; otherwise `reason` says why not (a later one inside
-- the extended trial: trial_already_extended). The trial then ends on until_date when it is
-- given (and later than the trial's end), else `days` after the trial's end. A run judges an
-- extension by the actions it sees, as any action.
--
-- layer: expected
-- grain: service_id, action_id
WITH requests AS (
    SELECT
        a.service_id,
        a.action_id,
        a.seq,
        a.effective_on,
        a.subscription_level,
        a.days,
        a.until_date,
        f.base_trial_end,
        f.first_activated_on,
        a.trial_extension_allowed AS allowed
    FROM work.service_actions AS a
    LEFT JOIN work.service_first_activations AS f ON f.service_id = a.service_id
    WHERE a.action = 'extend_trial'
),

judged AS (
    SELECT
        q.*,
        CASE
            WHEN NOT q.allowed THEN 'trial_extension_not_allowed'
            WHEN q.first_activated_on IS NULL OR q.effective_on < q.first_activated_on
                 OR q.effective_on >= q.base_trial_end THEN 'not_in_trial'
            WHEN q.until_date IS NOT NULL AND q.until_date <= q.base_trial_end
                THEN 'not_an_extension'
        END AS first_reason
    FROM requests AS q
),

ranked AS (
    SELECT
        j.*,
        MIN(CASE WHEN j.first_reason IS NULL THEN j.seq END)
            OVER (PARTITION BY j.service_id) AS winner_seq
    FROM judged AS j
),

-- the first extension that can take effect does; a later one is judged against the trial
-- as that extension left it
settled AS (
    SELECT
        r.*,
        COALESCE(r.seq = r.winner_seq, FALSE) AS took_effect,
        MAX(CASE WHEN r.seq = r.winner_seq
                 THEN COALESCE(r.until_date, r.base_trial_end + r.days) END)
            OVER (PARTITION BY r.service_id) AS extended_end
    FROM ranked AS r
)

SELECT
    service_id,
    action_id,
    effective_on,
    subscription_level,
    CASE
        WHEN took_effect THEN NULL
        WHEN seq > winner_seq AND allowed AND effective_on < extended_end
            THEN 'trial_already_extended'
        WHEN seq > winner_seq AND allowed THEN 'not_in_trial'
        ELSE first_reason
    END AS reason,
    took_effect,
    CASE WHEN took_effect THEN extended_end END AS trial_end
FROM settled
