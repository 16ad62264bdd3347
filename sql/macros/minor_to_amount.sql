-- An amount in integer minor units of a currency (minor_factor = 10^minor_units) as the
-- published DECIMAL(18, 4), exactly: minor x 10^(4 - m) x 0.0001, never through a float or a
-- division that could round.
--
-- macro: MINOR_TO_AMOUNT(minor, minor_factor)
CAST(
    CAST(:minor * (10000 // :minor_factor) AS DECIMAL(18, 0)) * CAST(0.0001 AS DECIMAL(5, 4))
    AS DECIMAL(18, 4)
)
