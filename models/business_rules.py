"""business_rules: key-value settings, versioned by valid_from (domain.md documents keys)."""

from __future__ import annotations

import pandera.polars as pa
import polars as pl
from pandera.api.polars.types import PolarsData

from models._common import column_rule, holds

#: Every key of domain.md §4–§9 and the values it takes: ("integer", min, max or None),
#: ("choice", value, ...), ("amount",) a decimal ≥ 0 of at most 6 decimals, or ("list",)
#: comma-separated names. Keys starting with SERVICE_LIMIT_PREFIX name a classification.
#: The defaults are in sql/sources/src_rule_defaults.sql (a test keeps both lists aligned).
RULE_VALUES: dict[str, tuple] = {
    "default_billing_day": ("integer", 1, 31),
    "default_billing_weekday": ("integer", 1, 7),
    "pause_max_days": ("integer", 1, None),
    "pause_max_times_per_year": ("integer", 0, None),
    "payment_terms_days": ("integer", 0, None),
    "regret_days": ("integer", 0, None),
    "grace_min_days": ("integer", 1, None),
    "grace_max_days": ("integer", 1, None),
    "payment_retry_days": ("integer", 1, None),
    "payment_retries": ("integer", 0, None),
    "downgrade_timing": ("choice", "immediate", "end_of_period"),
    "cancel_out_of_contract": ("choice", "immediate", "end_of_period"),
    "cancel_in_contract": ("choice", "immediate", "end_of_contract"),
    "trial_once_per": ("choice", "contact", "service"),
    "trial_extension_allowed": ("choice", "true", "false"),
    "deactivation_threshold": ("amount",),
    "usage_charge_limit": ("amount",),
    "deactivation_excluded_classifications": ("list",),
}
SERVICE_LIMIT_PREFIX = "service_limit_"
SERVICE_LIMIT_VALUES = ("integer", 0, None)

_INTEGER = r"^[0-9]{1,9}$"
_AMOUNT = r"^[0-9]{1,12}(\.[0-9]{1,6})?$"
_LIST = r"^[^,\s]+(\s*,\s*[^,\s]+)*$"


def _valid(values: tuple) -> pl.Expr:
    """Whether `value` is one of `values` (a RULE_VALUES entry)."""
    value = pl.col("value")
    kind, *bounds = values
    if kind == "choice":
        return value.is_in(bounds)
    if kind == "amount":
        return value.str.contains(_AMOUNT)
    if kind == "list":
        return value.str.contains(_LIST)
    low, high = bounds
    number = value.str.contains(_INTEGER) & (value.cast(pl.Int64, strict=False) >= low)
    return number & (value.cast(pl.Int64, strict=False) <= high) if high else number


def _service_limit() -> pl.Expr:
    return pl.col("key").str.starts_with(SERVICE_LIMIT_PREFIX) & (
        pl.col("key").str.len_chars() > len(SERVICE_LIMIT_PREFIX))


def describe(values: tuple) -> str:
    kind, *bounds = values
    if kind == "choice":
        return " or ".join(bounds)
    if kind == "amount":
        return "an amount ≥ 0"
    if kind == "list":
        return "comma-separated names"
    low, high = bounds
    return f"an integer {low}–{high}" if high else f"an integer ≥ {low}"


class BusinessRules(pa.DataFrameModel):
    """Values are text upstream; a key the engine does not know or a value its key cannot
    take is quarantined here, so that a run never falls back to a default in silence
    (the versions before it, or the documented default, stay in force, and the run reports
    the quarantined row)."""

    key: str
    value: str
    valid_from: pl.Date

    @column_rule(
        "key", "known_key",
        "not a business-rule key (the README's business-rule table lists them)",
    )
    def _known_key(cls, data: PolarsData) -> pl.LazyFrame:
        """A misspelt key would otherwise leave its rule at the default unnoticed."""
        return holds(data, pl.col("key").is_in(list(RULE_VALUES)) | _service_limit())

    @column_rule(
        "value", "valid_value",
        "not a value its key takes (the README's business-rule table lists each key's values)",
    )
    def _valid_value(cls, data: PolarsData) -> pl.LazyFrame:
        """Each reader casts its value: one that cannot be read must not reach it."""
        ok = pl.when(_service_limit()).then(_valid(SERVICE_LIMIT_VALUES))
        for key, values in RULE_VALUES.items():
            ok = ok.when(pl.col("key") == key).then(_valid(values))
        return holds(data, ok.otherwise(True))  # an unknown key fails known_key

    class Config:
        name = "business_rules"
        strict = True
