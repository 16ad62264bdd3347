"""actions: every subscription and service action, executed or scheduled."""

from __future__ import annotations

import pandera.polars as pa
import polars as pl
from pandera.api.polars.types import PolarsData

from models._common import (
    ACTION_STATUSES,
    ACTIONS,
    Timestamp,
    column_rule,
    holds,
    optional,
    required_when,
    row_rule,
)


def _is(*names: str) -> pl.Expr:
    return pl.col("action").is_in(names)


class Actions(pa.DataFrameModel):
    """An action's parameters must be present for the action to mean anything; whether the
    business rules allow it is decided by the bill run (action_rejections), not here."""

    action_id: str
    subscription_id: str
    service_id: str = optional()
    action: str = pa.Field(isin=ACTIONS)
    status: str = pa.Field(isin=ACTION_STATUSES)
    status_changed_at: Timestamp = optional()
    effective_on: pl.Date
    recorded_at: Timestamp
    new_product_id: str = optional()
    new_price_term_id: str = optional()
    new_quantity: pl.Int32 = optional(ge=1)
    days: pl.Int32 = optional(ge=1)
    until_date: pl.Date = optional()
    cycles: pl.Int32 = optional(ge=1)
    auto_renew: bool = optional()
    billing_day: pl.Int32 = optional(in_range={"min_value": 1, "max_value": 31})
    payment_method_id: str = optional()
    promotion_id: str = optional()
    reason: str = optional()

    @row_rule(
        "change_needs_target",
        "a change needs new_product_id, new_price_term_id or new_quantity",
    )
    def _change_target(cls, data: PolarsData) -> pl.LazyFrame:
        """A change with nothing to change to cannot be applied."""
        target = pl.any_horizontal(
            pl.col(c).is_not_null() for c in ("new_product_id", "new_price_term_id", "new_quantity")
        )
        return holds(data, _is("change").not_() | target)

    @column_rule(
        "new_price_term_id", "new_product_needs_price_term",
        "new_price_term_id is required with new_product_id",
    )
    def _product_needs_price(cls, data: PolarsData) -> pl.LazyFrame:
        """A new product has no price until one of its price terms is named."""
        named = pl.col("new_product_id").is_not_null()
        return holds(data, required_when("new_price_term_id", named))

    @column_rule("days", "required_for_action", "days is required for pause and extend_term")
    def _days_required(cls, data: PolarsData) -> pl.LazyFrame:
        """A pause or term extension without a length has no end."""
        return holds(data, required_when("days", _is("pause", "extend_term")))

    @row_rule(
        "length_required",
        "extend_trial and grace_period need days or until_date; bill_in_advance needs cycles "
        "or until_date",
    )
    def _length_required(cls, data: PolarsData) -> pl.LazyFrame:
        """These actions cover a span that one of the two columns must bound."""
        until = pl.col("until_date").is_not_null()
        ok = (
            pl.when(_is("extend_trial", "grace_period"))
            .then(pl.col("days").is_not_null() | until)
            .when(_is("bill_in_advance"))
            .then(pl.col("cycles").is_not_null() | until)
            .otherwise(True)
        )
        return holds(data, ok)

    @column_rule("auto_renew", "required_for_action", "auto_renew is required for set_auto_renew")
    def _auto_renew_required(cls, data: PolarsData) -> pl.LazyFrame:
        """set_auto_renew sets this value."""
        return holds(data, required_when("auto_renew", _is("set_auto_renew")))

    @column_rule(
        "billing_day", "required_for_action", "billing_day is required for change_billing_day"
    )
    def _billing_day_required(cls, data: PolarsData) -> pl.LazyFrame:
        """change_billing_day moves the anchor to this day."""
        return holds(data, required_when("billing_day", _is("change_billing_day")))

    @column_rule(
        "payment_method_id", "required_for_action",
        "payment_method_id is required for change_payment_method",
    )
    def _payment_method_required(cls, data: PolarsData) -> pl.LazyFrame:
        """change_payment_method switches to this method."""
        return holds(data, required_when("payment_method_id", _is("change_payment_method")))

    @column_rule("promotion_id", "required_for_action", "promotion_id is required for redeem_pass")
    def _promotion_required(cls, data: PolarsData) -> pl.LazyFrame:
        """redeem_pass applies this promotion."""
        return holds(data, required_when("promotion_id", _is("redeem_pass")))

    @column_rule(
        "status_changed_at", "status_changed_at_not_allowed",
        "status_changed_at is only for cancelled or rejected actions",
    )
    def _status_changed_at(cls, data: PolarsData) -> pl.LazyFrame:
        """Only a withdrawn action has a moment when it stopped being in force (domain.md §3)."""
        withdrawn = pl.col("status").is_in(("cancelled", "rejected"))
        return holds(data, pl.col("status_changed_at").is_null() | withdrawn)

    class Config:
        name = "actions"
        strict = True
