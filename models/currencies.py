"""currencies: upstream overrides or additions to the shipped ISO 4217 minor units."""

from __future__ import annotations

import pandera.polars as pa
import polars as pl


class Currencies(pa.DataFrameModel):
    """Minor units decide rounding; ISO 4217 uses 0 to 4 digits."""

    currency: str = pa.Field(str_matches=r"^[A-Z]{3}$")
    minor_units: pl.Int32 = pa.Field(in_range={"min_value": 0, "max_value": 4})

    class Config:
        name = "currencies"
        strict = True
