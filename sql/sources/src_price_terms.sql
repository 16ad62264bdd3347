-- One row per price term: what all its versions share (the loader quarantines a price term
-- whose versions disagree): the product it prices and the currency, cycle and model it bills
-- in.
--
-- layer: sources
-- grain: price_term_id
-- materialized: view
SELECT DISTINCT price_term_id, product_id, currency, billing_cycle, billing_model
FROM upstream.price_terms
