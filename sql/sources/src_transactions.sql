-- One row per money movement outside billing that occurred by :as_of: payments, refunds and
-- adjustments (payment_failed and wallet_topup come with the funding issue).
--
-- layer: sources
-- grain: transaction_id
-- materialized: view
SELECT transaction_id, account_id, kind, amount, currency, occurred_on
FROM upstream.transactions
WHERE occurred_on <= :as_of
