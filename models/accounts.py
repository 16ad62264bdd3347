"""accounts: the party that is invoiced and pays."""

from __future__ import annotations

import pandera.polars as pa
import polars as pl

from models._common import Money, optional


class Accounts(pa.DataFrameModel):
    """An account's currency prices its invoices; credit_limit gates automatic payment."""

    account_id: str
    name: str
    currency: str
    credit_limit: Money = pa.Field(ge=0)
    classification: str = optional()
    created_on: pl.Date

    class Config:
        name = "accounts"
        strict = True
