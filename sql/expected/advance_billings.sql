-- One row per bill_in_advance action of a service (domain.md §3, §5), with its verdict and the
-- span of billing periods it bills ahead, [advance_from, advance_to): the periods that follow
-- the last one due by its billing date on the action's date E (the period holding
-- E + bill_days_before), either `cycles` of them or every one starting before until_date
-- (`cycles` wins when both are given). It takes effect when the service is effective or paused
-- on E, the subscription is pre-billed (post-billed periods are billed on their end date, never
-- earlier: domain.md §10), the service is not in its trial on E (first activation <= E < the
-- trial's end, as extended) and the span holds a period; otherwise `reason` says why not.
-- The periods are counted under the billing day in force on E + bill_days_before
-- (subscription_anchor_spans); the span covers every period starting in it, whichever billing
-- day places it. Every charge key of the service in those periods is due from E
-- (expected_charges), valued
-- like any other (its billable days, the price version valid on its cycle_start), so a later
-- cancel, pause or change credits or corrects it as usual.
--
-- layer: expected
-- grain: service_id, action_id
-- state: subscription_id
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
        a.effective_on + p.bill_days_before AS due_day
    FROM work.service_actions AS a
    JOIN work.service_action_outcomes AS o ON o.service_id = a.service_id AND o.seq = a.seq
    LEFT JOIN work.service_terms AS t ON t.service_id = a.service_id
    LEFT JOIN work.subscription_anchors AS p ON p.subscription_id = a.subscription_id
    WHERE a.action = 'bill_in_advance'
),

-- the period holding the due day, under the billing day in force on it
located AS (
    SELECT
        r.*,
        s.span_to,
        s.cycle_months,
        s.anchor_month,
        s.billing_day,
        PERIOD_OF(r.due_day, s.cycle_months, s.anchor_month, s.billing_day) AS k
    FROM requests AS r
    LEFT JOIN work.subscription_anchor_spans AS s
        ON s.subscription_id = r.subscription_id
       AND (s.span_from IS NULL OR s.span_from <= r.due_day)
       AND (s.span_to IS NULL OR r.due_day < s.span_to)
),

spans AS (
    SELECT
        l.*,
        CASE
            WHEN l.span_to < PERIOD_START(l.k + 1, l.cycle_months, l.anchor_month, l.billing_day)
                THEN l.span_to
            ELSE PERIOD_START(l.k + 1, l.cycle_months, l.anchor_month, l.billing_day)
        END AS span_start,
        CASE
            WHEN l.cycles IS NOT NULL
                THEN PERIOD_START(l.k + 1 + l.cycles, l.cycle_months, l.anchor_month,
                                  l.billing_day)
            ELSE l.until_date
        END AS span_end
    FROM located AS l
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
            WHEN s.span_end <= s.span_start THEN 'nothing_in_advance'
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
    CASE WHEN reason IS NULL THEN span_start END AS advance_from,
    CASE WHEN reason IS NULL THEN span_end END AS advance_to
FROM judged
