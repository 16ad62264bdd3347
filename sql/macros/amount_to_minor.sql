-- A published amount (DECIMAL(18, 4), already in the currency's minor units) as an integer
-- number of minor units (minor_factor = 10^minor_units): the inverse of MINOR_TO_AMOUNT.
--
-- macro: AMOUNT_TO_MINOR(amount, minor_factor)
CAST(:amount * :minor_factor AS HUGEINT)
