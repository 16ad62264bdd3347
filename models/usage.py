"""usage: units consumed under a service, rated per billing cycle in arrears."""

from __future__ import annotations

import pandera.polars as pa
import polars as pl

from models._common import Money


class Usage(pa.DataFrameModel):
    """Quantities are decimals (e.g. GB), never negative: corrections come as new rows."""

    usage_id: str
    service_id: str
    usage_product_id: str
    occurred_on: pl.Date
    quantity: Money = pa.Field(ge=0)

    class Config:
        name = "usage"
        strict = True
