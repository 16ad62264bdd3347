"""services: one row per ordered subscription service."""

from __future__ import annotations

import pandera.polars as pa
import polars as pl
from pandera.api.polars.types import PolarsData

from models._common import column_rule, holds, optional


class Services(pa.DataFrameModel):
    """Subscription, product, price term, quantity and ordered_on are agreed at the start;
    later changes come as actions (domain.md §11)."""

    service_id: str
    subscription_id: str
    product_id: str
    price_term_id: str
    quantity: pl.Int32 = pa.Field(ge=1)
    ordered_on: pl.Date
    parent_service_id: str = optional()

    @column_rule("parent_service_id", "parent_is_self", "a service cannot be its own parent")
    def _not_own_parent(cls, data: PolarsData) -> pl.LazyFrame:
        """A self-parent would make the bundle tree infinite."""
        parent = pl.col("parent_service_id")
        return holds(data, parent.is_null() | (parent != pl.col("service_id")))

    class Config:
        name = "services"
        strict = True
