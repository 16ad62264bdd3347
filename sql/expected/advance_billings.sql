-- One row per bill_in_advance action of a service (domain.md §3, §5), with its verdict and the
-- span of billing periods it bills ahead, [advance_from, advance_to): the periods that follow
-- the last one due by its billing date on the action's date E (the period holding
-- E + bill_days_before), either `cycles` of them or every one starting before until_date
-- (`cycles` wins when both are given). It takes effect when the service is effective or paused
-- on E, the subscription is pre-billed (post-billed periods are billed on their end date, never
-- earlier: domain.md §10), the service is not in its trial on E (first activation <= E < the
-- trial's end, as extended) and the span holds a period; otherwise `reason` says why not.
-- Every charge key of the service in those periods is due from E (expected_charges), valued
-- like any other (its billable days, the price version valid on its cycle_start), so a later
-- cancel, pause or change credits or corrects it as usual.
--
-- layer: expected
-- grain: service_id, action_id
WITH requests AS (
    SELECT
        a.service_id,
        a.subscription_id,
        a.action_id,
        a.effective_on,
        a.subscription_level,
        a.cycles,
        a.until_date,
        o.state_before,
        t.first_activated_on,
        t.trial_end,
        p.billing_model,
        p.cycle_months,
        p.anchor_month,
        p.billing_day,
        PERIOD_OF(a.effective_on + p.bill_days_before, p.cycle_months, p.anchor_month,
                  p.billing_day) + 1 AS k_from
    FROM work.service_actions AS a
    JOIN work.service_action_outcomes AS o ON o.service_id = a.service_id AND o.seq = a.seq
    LEFT JOIN work.service_terms AS t ON t.service_id = a.service_id
    LEFT JOIN work.subscription_anchors AS p ON p.subscription_id = a.subscription_id
    WHERE a.action = 'bill_in_advance'
),

spans AS (
    SELECT
        r.*,
        CASE
            WHEN r.cycles IS NOT NULL THEN r.k_from + r.cycles
            ELSE PERIOD_OF(r.until_date - 1, r.cycle_months, r.anchor_month, r.billing_day) + 1
        END AS k_to
    FROM requests AS r
),

judged AS (
    SELECT
        s.*,
        CASE
            WHEN s.state_before NOT IN ('effective', 'paused')
                THEN 'invalid_transition:' || s.state_before
            WHEN s.billing_model <> 'pre' THEN 'post_billed'
            WHEN s.effective_on >= s.first_activated_on AND s.effective_on < s.trial_end
                THEN 'in_trial'
            WHEN s.k_to <= s.k_from THEN 'nothing_in_advance'
        END AS reason
    FROM spans AS s
)

SELECT
    service_id,
    subscription_id,
    action_id,
    effective_on,
    subscription_level,
    reason IS NULL AS took_effect,
    reason,
    CASE WHEN reason IS NULL
        THEN PERIOD_START(k_from, cycle_months, anchor_month, billing_day) END AS advance_from,
    CASE WHEN reason IS NULL
        THEN PERIOD_START(k_to, cycle_months, anchor_month, billing_day) END AS advance_to
FROM judged
