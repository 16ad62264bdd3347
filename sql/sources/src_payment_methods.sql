-- One row per loaded payment method (never its token: a secret that stays upstream).
--
-- layer: sources
-- grain: payment_method_id
-- materialized: view
SELECT payment_method_id, account_id, kind, is_primary, status FROM upstream.payment_methods
