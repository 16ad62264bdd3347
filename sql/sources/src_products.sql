-- One row per loaded product: its kind and tier path.
--
-- layer: sources
-- grain: product_id
-- materialized: view
SELECT product_id, kind, tier_path FROM upstream.products
