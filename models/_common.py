"""Types, enumerations and rule helpers shared by the upstream models.

Every model describes one contract table (contract.md) after the loader has cast it: ids and
enumerations are strings, money is Decimal (never float, so "19.99" stays exact), dates are
Date and timestamps naive UTC Datetime. Column metadata `optional` marks the contract's `?`
columns, which a file may leave out entirely.
"""

from __future__ import annotations

from typing import Annotated

import pandera.polars as pa
import polars as pl
from pandera.api.polars.types import PolarsData

Money = Annotated[pl.Decimal, 18, 6]
TaxRate = Annotated[pl.Decimal, 9, 6]
RatePercent = Annotated[pl.Decimal, 9, 4]
Timestamp = Annotated[pl.Datetime, "us", None]

BILLING_CYCLES = ("week", "month", "quarter", "half_year", "year")
BILLING_MODELS = ("pre", "post")
BILLING_METHODS = ("period", "anniversary")
PRODUCT_KINDS = ("termed", "one_time", "usage", "no_billing", "device", "bundle")
BUNDLE_KINDS = ("fixed", "flexible")
PAYMENT_METHOD_KINDS = ("card", "direct_debit", "wallet")
PAYMENT_METHOD_STATUSES = ("active", "expired", "revoked")
ACTIONS = (
    "activate", "deactivate", "pause", "resume", "cancel", "regret", "change", "renew",
    "set_auto_renew", "extend_term", "extend_trial", "grace_period", "bill_in_advance",
    "change_billing_day", "change_payment_method", "redeem_pass",
)
ACTION_STATUSES = ("executed", "scheduled", "cancelled", "rejected")
PROMOTION_KINDS = ("percent", "amount")
TRANSACTION_KINDS = ("payment", "payment_failed", "wallet_topup", "refund", "adjustment")

OPTIONAL = {"optional": True}


def optional(**kwargs) -> object:
    """A contract `?` column: nullable, and the file may omit it (it then loads as null)."""
    return pa.Field(nullable=True, metadata=OPTIONAL, **kwargs)


def column_rule(column: str, name: str, error: str):
    """A rule reported against `column`; nulls in its result count as failures."""
    return pa.check(column, name=name, error=error, ignore_na=False)


def row_rule(name: str, error: str):
    """A rule about the row as a whole (no single column is at fault)."""
    return pa.dataframe_check(name=name, error=error, ignore_na=False)


def holds(data: PolarsData, ok: pl.Expr) -> pl.LazyFrame:
    """The rule's outcome per row; an undecidable (null) outcome is a failure."""
    return data.lazyframe.select(ok.fill_null(False).alias("ok"))


def required_when(column: str, condition: pl.Expr) -> pl.Expr:
    """`column` must be set on rows where `condition` holds."""
    return condition.fill_null(False).not_() | pl.col(column).is_not_null()
