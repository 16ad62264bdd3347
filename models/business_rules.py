"""business_rules: key-value settings, versioned by valid_from (domain.md documents keys)."""

from __future__ import annotations

import pandera.polars as pa
import polars as pl


class BusinessRules(pa.DataFrameModel):
    """Values stay text here; each rule's reader parses its own value."""

    key: str
    value: str
    valid_from: pl.Date

    class Config:
        name = "business_rules"
        strict = True
