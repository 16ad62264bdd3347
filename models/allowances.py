"""allowances: usage included per billing cycle in a termed price term."""

from __future__ import annotations

import pandera.polars as pa

from models._common import Money


class Allowances(pa.DataFrameModel):
    """Units beyond units_per_cycle are charged at the usage product's price."""

    price_term_id: str
    usage_product_id: str
    units_per_cycle: Money = pa.Field(ge=0)

    class Config:
        name = "allowances"
        strict = True
