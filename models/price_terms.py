"""price_terms: versioned prices of a product (key price_term_id + valid_from)."""

from __future__ import annotations

import pandera.polars as pa
import polars as pl

from models._common import BILLING_CYCLES, BILLING_MODELS, Money, TaxRate, optional


class PriceTerms(pa.DataFrameModel):
    """One row per version; versions sharing product, currency, cycle and model is a loader
    check (`inconsistent_versions`), as it spans rows."""

    price_term_id: str
    valid_from: pl.Date
    product_id: str
    currency: str
    billing_cycle: str = optional(isin=BILLING_CYCLES)
    amount: Money = pa.Field(ge=0)
    billing_model: str = pa.Field(isin=BILLING_MODELS)
    trial_days: pl.Int32 = pa.Field(ge=0)
    termed_cycles: pl.Int32 = optional(ge=1)
    auto_renew: bool
    contract_cycles: pl.Int32 = optional(ge=1)
    cancellation_fee: Money = pa.Field(ge=0)
    tax_rate: TaxRate = pa.Field(in_range={"min_value": 0, "max_value": 1, "include_max": False})
    concurrent_usage: bool

    class Config:
        name = "price_terms"
        strict = True
