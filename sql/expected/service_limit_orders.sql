-- One row per service of an account whose classification has a service limit
-- (`service_limit_<classification>`, domain.md §9), in the order the account's services were
-- ordered (ordered_on, then service_id), with whether the order is within the limit. An order
-- is refused when the account already has `service_limit` accepted services that are not
-- churned on its ordered_on (not cancelled or regretted by that date: a draft, paused,
-- not_effective or expired service counts), the limit read at its version valid on that date
-- (none in force: accepted). A refused order never counts. A service churns on the first date
-- its own walk (service_action_walk) cancels or regrets it; a limit lowered later refuses
-- only later orders. The walk is a recursive CTE over the account's orders, one step per
-- order, carrying the churn dates of the accepted services still live.
--
-- layer: expected
-- grain: service_id
WITH RECURSIVE limits AS (
    SELECT key, value, valid_from, valid_to
    FROM work.src_business_rules
    WHERE STARTS_WITH(key, 'service_limit_')
),

churned AS (
    SELECT service_id, MIN(effective_on) AS churned_on
    FROM work.service_action_walk
    WHERE took_effect AND state IN ('cancelled', 'regretted')
    GROUP BY service_id
),

orders AS (
    SELECT
        s.account_id,
        s.service_id,
        s.ordered_on,
        COALESCE(c.churned_on, DATE '9999-12-31') AS live_until,
        CAST(l.value AS INTEGER) AS service_limit,
        ROW_NUMBER() OVER (
            PARTITION BY s.account_id ORDER BY s.ordered_on, s.service_id
        ) AS k
    FROM work.replayed_services AS s
    JOIN work.src_accounts AS a ON a.account_id = s.account_id
    LEFT JOIN limits AS l
        ON l.key = 'service_limit_' || a.classification
       AND VALID_ON(s.ordered_on, l.valid_from, l.valid_to)
    LEFT JOIN churned AS c ON c.service_id = s.service_id
    WHERE 'service_limit_' || a.classification IN (SELECT key FROM limits)
),

walk AS (
    SELECT
        account_id,
        CAST(0 AS BIGINT) AS k,
        CAST(NULL AS VARCHAR) AS service_id,
        CAST(NULL AS DATE) AS ordered_on,
        CAST(NULL AS INTEGER) AS service_limit,
        CAST(NULL AS INTEGER) AS live_services,
        CAST(NULL AS BOOLEAN) AS within_limit,
        CAST([] AS DATE[]) AS live_until
    FROM orders
    WHERE k = 1

    UNION ALL

    SELECT
        j.account_id,
        j.k,
        j.service_id,
        j.ordered_on,
        j.service_limit,
        j.live_services,
        j.within_limit,
        CASE WHEN j.within_limit THEN LIST_APPEND(j.still_live, j.order_live_until)
             ELSE j.still_live END AS live_until
    FROM (
        SELECT
            i.*,
            ARRAY_LENGTH(i.still_live) AS live_services,
            i.service_limit IS NULL OR ARRAY_LENGTH(i.still_live) < i.service_limit
                AS within_limit
        FROM (
            SELECT
                o.account_id,
                o.k,
                o.service_id,
                o.ordered_on,
                o.service_limit,
                o.live_until AS order_live_until,
                -- orders come in date order: a service churned by this one's date stays so
                LIST_FILTER(w.live_until, d -> d > o.ordered_on) AS still_live
            FROM walk AS w
            JOIN orders AS o ON o.account_id = w.account_id AND o.k = w.k + 1
        ) AS i
    ) AS j
)

SELECT account_id, service_id, k AS order_seq, ordered_on, service_limit, live_services,
       within_limit
FROM walk
WHERE k > 0
