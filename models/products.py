"""products: what can be ordered; the kind decides how it is billed."""

from __future__ import annotations

import pandera.polars as pa
import polars as pl
from pandera.api.polars.types import PolarsData

from models._common import BUNDLE_KINDS, PRODUCT_KINDS, column_rule, holds, optional


class Products(pa.DataFrameModel):
    """Products on one tier_path may be changed into each other."""

    product_id: str
    name: str
    kind: str = pa.Field(isin=PRODUCT_KINDS)
    tier_path: str = optional()
    bundle_kind: str = optional(isin=BUNDLE_KINDS)

    @column_rule("bundle_kind", "bundle_kind_not_bundle", "bundle_kind is only for bundle products")
    def _bundle_kind_only_for_bundles(cls, data: PolarsData) -> pl.LazyFrame:
        """A fixed/flexible bundle kind on a non-bundle product is a data-entry error."""
        return holds(data, pl.col("bundle_kind").is_null() | (pl.col("kind") == "bundle"))

    class Config:
        name = "products"
        strict = True
