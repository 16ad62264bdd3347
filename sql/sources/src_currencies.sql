-- One row per currency the load knows: its minor units m (ISO 4217, overridden by the
-- upstream `currencies` table) and minor_factor = 10^m, by which an amount becomes an integer
-- number of minor units. The one place the factor is written.
--
-- layer: sources
-- grain: currency
-- materialized: view
SELECT
    currency,
    minor_units,
    CASE minor_units
        WHEN 0 THEN 1 WHEN 1 THEN 10 WHEN 2 THEN 100 WHEN 3 THEN 1000 ELSE 10000
    END AS minor_factor
FROM upstream.currency_minor_units
