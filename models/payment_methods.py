"""payment_methods: how an account pays; at most one primary per account (loader check)."""

from __future__ import annotations

import pandera.polars as pa

from models._common import PAYMENT_METHOD_KINDS, PAYMENT_METHOD_STATUSES, optional


class PaymentMethods(pa.DataFrameModel):
    """`token` is a gateway secret: loaded, but never copied into analyst-facing tables."""

    payment_method_id: str
    account_id: str
    kind: str = pa.Field(isin=PAYMENT_METHOD_KINDS)
    is_primary: bool
    token: str = optional()
    status: str = pa.Field(isin=PAYMENT_METHOD_STATUSES)

    class Config:
        name = "payment_methods"
        strict = True
