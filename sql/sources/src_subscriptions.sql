-- One row per loaded subscription: its account and preferred payment method.
--
-- layer: sources
-- grain: subscription_id
-- materialized: view
SELECT subscription_id, account_id, currency, payment_method_id FROM upstream.subscriptions
