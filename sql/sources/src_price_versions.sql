-- One row per price-term version, with the half-open span [valid_from, valid_to) in which it
-- is the latest (valid_to null = still in force) and covers_from, where the span starts when
-- the earliest version also stands for the days before any version: 0001-01-01 for it, else
-- valid_from. The version "valid on" a date d is the one with VALID_ON(d, covers_from,
-- valid_to): the greatest valid_from <= d, else the earliest.
--
-- layer: sources
-- grain: price_term_id, valid_from
SELECT
    price_term_id,
    valid_from,
    LEAD(valid_from) OVER (PARTITION BY price_term_id ORDER BY valid_from) AS valid_to,
    CASE
        WHEN valid_from = MIN(valid_from) OVER (PARTITION BY price_term_id)
            THEN DATE '0001-01-01'
        ELSE valid_from
    END AS covers_from,
    MIN(valid_from) OVER (PARTITION BY price_term_id) AS first_valid_from,
    product_id,
    amount,
    tax_rate,
    trial_days,
    termed_cycles,
    auto_renew,
    contract_cycles,
    cancellation_fee
FROM upstream.price_terms
