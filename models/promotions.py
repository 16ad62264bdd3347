"""promotions: discounts on a service's recurring charge for a number of cycles."""

from __future__ import annotations

import pandera.polars as pa
import polars as pl
from pandera.api.polars.types import PolarsData

from models._common import PROMOTION_KINDS, Money, column_rule, holds, optional


class Promotions(pa.DataFrameModel):
    """value is a percent for kind = percent, else an amount per cycle."""

    promotion_id: str
    kind: str = pa.Field(isin=PROMOTION_KINDS)
    value: Money = pa.Field(ge=0)
    cycles: pl.Int32 = optional(ge=1)
    product_id: str = optional()
    auto_apply: bool

    @column_rule("value", "percent_range", "a percent promotion's value must be in [0, 100]")
    def _percent_at_most_100(cls, data: PolarsData) -> pl.LazyFrame:
        """More than 100 % would turn a discount into a credit."""
        return holds(data, (pl.col("kind") != "percent") | (pl.col("value") <= 100))

    class Config:
        name = "promotions"
        strict = True
