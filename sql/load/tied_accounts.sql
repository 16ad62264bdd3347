-- One row per account whose subscriptions can decide something for one another beyond their
-- states: a run that computes one of them computes them all (run_scope), since what it
-- bills then depends on the others' services. Two such decisions exist (domain.md §6):
--   trials      a contact's trials are judged over all its services (`trial_once_per`), so
--               two subscriptions with a service that can have a trial (its price term, or
--               one a change moves it to, grants one in some version) tie their account;
--   limits      orders are judged over all the account's services (`service_limit_
--               <classification>`), which can refuse one only when the account has more
--               services than the smallest limit any version sets for its classification.
-- Any other account's subscriptions bill independently of each other (its subscriber state
-- aside, which run_scope and holder_states handle). Derived by the load, as it reads the
-- snapshot alone (sql/load/subscription_fingerprints.sql says why).
--
-- layer: load
-- grain: account_id
WITH trial_terms AS (
    SELECT DISTINCT price_term_id
    FROM upstream.price_terms
    WHERE trial_days > 0
),

trial_subscriptions AS (
    SELECT s.subscription_id
    FROM upstream.services AS s
    JOIN trial_terms AS t ON t.price_term_id = s.price_term_id
    UNION
    SELECT a.subscription_id
    FROM upstream.actions AS a
    JOIN trial_terms AS t ON t.price_term_id = a.new_price_term_id
),

limits AS (
    SELECT
        SUBSTRING(key, LENGTH('service_limit_') + 1) AS classification,
        MIN(CAST(value AS INTEGER)) AS least_limit
    FROM upstream.business_rules
    WHERE STARTS_WITH(key, 'service_limit_')
    GROUP BY SUBSTRING(key, LENGTH('service_limit_') + 1)
),

accounts AS (
    SELECT
        sub.account_id,
        COUNT(*) AS services,
        COUNT(DISTINCT sub.subscription_id) AS subscriptions,
        COUNT(DISTINCT t.subscription_id) AS trial_subscriptions
    FROM upstream.services AS s
    JOIN upstream.subscriptions AS sub ON sub.subscription_id = s.subscription_id
    LEFT JOIN trial_subscriptions AS t ON t.subscription_id = s.subscription_id
    GROUP BY sub.account_id
)

SELECT a.account_id
FROM accounts AS a
LEFT JOIN upstream.accounts AS c ON c.account_id = a.account_id
LEFT JOIN limits AS l ON l.classification = c.classification
WHERE a.trial_subscriptions >= 2
   OR (a.subscriptions >= 2 AND a.services > l.least_limit)
