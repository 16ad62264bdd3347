"""transactions: money received or moved outside billing."""

from __future__ import annotations

import pandera.polars as pa
import polars as pl

from models._common import TRANSACTION_KINDS, Money, optional


class Transactions(pa.DataFrameModel):
    """Amounts are positive; the kind gives the direction (payment, refund, ...)."""

    transaction_id: str
    account_id: str
    kind: str = pa.Field(isin=TRANSACTION_KINDS)
    amount: Money = pa.Field(gt=0)
    currency: str
    occurred_on: pl.Date
    payment_request_id: str = optional()

    class Config:
        name = "transactions"
        strict = True
