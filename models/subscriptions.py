"""subscriptions: services grouped by billing cycle, model and currency, with agreed terms."""

from __future__ import annotations

import pandera.polars as pa
import polars as pl
from pandera.api.polars.types import PolarsData

from models._common import (
    BILLING_CYCLES,
    BILLING_METHODS,
    BILLING_MODELS,
    RatePercent,
    column_rule,
    holds,
    optional,
    required_when,
)

_BILLED = pl.col("billing_cycle") != "none"


class Subscriptions(pa.DataFrameModel):
    """Terms agreed at the start never change across loads (domain.md §11, loader check)."""

    subscription_id: str
    account_id: str
    currency: str
    billing_cycle: str = pa.Field(isin=(*BILLING_CYCLES, "none"))
    billing_model: str = pa.Field(nullable=True, isin=BILLING_MODELS)
    billing_method: str = pa.Field(nullable=True, isin=BILLING_METHODS)
    billing_day: pl.Int32 = optional()
    bill_days_before: pl.Int32 = pa.Field(nullable=True, ge=0)
    payment_method_id: str = optional()
    agreement_date: pl.Date
    concurrent_usage: pl.Int32 = optional(ge=1)
    rate_percent: RatePercent = optional(ge=0)

    @column_rule(
        "billing_day", "billing_day_range",
        "billing_day must be 1-7 (ISO weekday) for weekly cycles and 1-31 otherwise",
    )
    def _billing_day_range(cls, data: PolarsData) -> pl.LazyFrame:
        """Weekly periods start on an ISO weekday, longer ones on a day of the month."""
        day = pl.col("billing_day")
        top = pl.when(pl.col("billing_cycle") == "week").then(7).otherwise(31)
        return holds(data, day.is_null() | ((day >= 1) & (day <= top)))

    @column_rule(
        "billing_model", "required_unless_no_billing",
        "billing_model is required unless billing_cycle is none",
    )
    def _model_required(cls, data: PolarsData) -> pl.LazyFrame:
        """Without a model the engine cannot tell pre-billing from post-billing."""
        return holds(data, required_when("billing_model", _BILLED))

    @column_rule(
        "billing_method", "required_unless_no_billing",
        "billing_method is required unless billing_cycle is none",
    )
    def _method_required(cls, data: PolarsData) -> pl.LazyFrame:
        """The method decides the billing day when billing_day is null."""
        return holds(data, required_when("billing_method", _BILLED))

    @column_rule(
        "bill_days_before", "required_unless_no_billing",
        "bill_days_before is required unless billing_cycle is none",
    )
    def _days_before_required(cls, data: PolarsData) -> pl.LazyFrame:
        """Pre-bill dates are period_start - bill_days_before."""
        return holds(data, required_when("bill_days_before", _BILLED))

    @column_rule(
        "rate_percent", "concurrent_usage_pair",
        "rate_percent and concurrent_usage are agreed together: both or neither",
    )
    def _concurrent_pair(cls, data: PolarsData) -> pl.LazyFrame:
        """The concurrent-usage price needs both factors (domain.md §8)."""
        both = pl.col("rate_percent").is_null() == pl.col("concurrent_usage").is_null()
        return holds(data, both)

    class Config:
        name = "subscriptions"
        strict = True
