-- One row per (subscription, span of days over which one billing day places its periods):
-- [span_from, span_to) (span_from null: from the beginning; span_to null: until further
-- notice). The first span has the subscription's billing day (subscription_anchors); each
-- change_billing_day that takes effect starts a span with its new day on its changes_on
-- (billing_day_changes, domain.md §10), which is a boundary of the new day's periods. The
-- anchor month (and for weekly cycles the week) stays: only the day moves. Periods of one
-- span come from PERIOD_OF / PERIOD_START with its billing day; the last period of a span that
-- a change ends is cut at span_to (billing_periods).
--
-- layer: expected
-- grain: subscription_id, span_from
-- state: subscription_id
WITH starts AS (
    SELECT
        subscription_id, CAST(NULL AS DATE) AS span_from, billing_day,
        CAST(NULL AS DATE) AS effective_on, CAST(NULL AS TIMESTAMP) AS recorded_at,
        CAST(NULL AS VARCHAR) AS action_id
    FROM work.subscription_anchors
    UNION ALL
    SELECT
        subscription_id, changes_on, new_billing_day, effective_on, recorded_at, action_id
    FROM work.billing_day_changes
    WHERE took_effect
),

spans AS (
    SELECT
        s.subscription_id,
        s.span_from,
        LEAD(s.span_from) OVER (
            PARTITION BY s.subscription_id
            ORDER BY s.span_from NULLS FIRST, s.effective_on NULLS FIRST, s.recorded_at,
                s.action_id
        ) AS span_to,
        s.billing_day
    FROM starts AS s
)

SELECT
    s.subscription_id,
    s.span_from,
    s.span_to,
    s.billing_day,
    a.cycle_months,
    a.anchor_month
FROM spans AS s
JOIN work.subscription_anchors AS a ON a.subscription_id = s.subscription_id
WHERE s.span_from IS NULL OR s.span_to IS NULL OR s.span_from < s.span_to
