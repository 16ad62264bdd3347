"""bundle_components: the products a bundle is made of."""

from __future__ import annotations

import pandera.polars as pa
import polars as pl
from pandera.api.polars.types import PolarsData

from models._common import Money, column_rule, holds, optional


class BundleComponents(pa.DataFrameModel):
    """Optional components of a flexible bundle are add-ons priced by extra_amount."""

    bundle_product_id: str
    component_product_id: str
    mandatory: bool
    extra_amount: Money = optional(ge=0)

    @column_rule(
        "component_product_id", "component_is_bundle", "a bundle cannot be its own component"
    )
    def _not_own_component(cls, data: PolarsData) -> pl.LazyFrame:
        """A self-reference would make the bundle tree infinite."""
        return holds(data, pl.col("component_product_id") != pl.col("bundle_product_id"))

    class Config:
        name = "bundle_components"
        strict = True
