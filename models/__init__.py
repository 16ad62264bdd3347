"""Pandera (polars) models of the upstream tables, one module per contract table.

The registry below is what the loader iterates over: the model of each table, its key, and
the references between tables (used for `unknown_reference` and for cascading quarantine).
"""

from __future__ import annotations

from typing import NamedTuple

from pandera.polars import DataFrameModel

from models.accounts import Accounts
from models.actions import Actions
from models.allowances import Allowances
from models.bundle_components import BundleComponents
from models.business_rules import BusinessRules
from models.currencies import Currencies
from models.payment_methods import PaymentMethods
from models.price_terms import PriceTerms
from models.products import Products
from models.promotions import Promotions
from models.services import Services
from models.subscriptions import Subscriptions
from models.transactions import Transactions
from models.usage import Usage

UPSTREAM_MODELS: dict[str, type[DataFrameModel]] = {
    "accounts": Accounts,
    "payment_methods": PaymentMethods,
    "products": Products,
    "bundle_components": BundleComponents,
    "price_terms": PriceTerms,
    "allowances": Allowances,
    "subscriptions": Subscriptions,
    "services": Services,
    "actions": Actions,
    "usage": Usage,
    "promotions": Promotions,
    "transactions": Transactions,
    "currencies": Currencies,
    "business_rules": BusinessRules,
}

REQUIRED_TABLES = ("accounts", "products", "price_terms", "subscriptions", "services", "actions")

#: The columns that identify a row (a quarantined row's row_key joins them with '|').
TABLE_KEYS: dict[str, tuple[str, ...]] = {
    "accounts": ("account_id",),
    "payment_methods": ("payment_method_id",),
    "products": ("product_id",),
    "bundle_components": ("bundle_product_id", "component_product_id"),
    "price_terms": ("price_term_id", "valid_from"),
    "allowances": ("price_term_id", "usage_product_id"),
    "subscriptions": ("subscription_id",),
    "services": ("service_id",),
    "actions": ("action_id",),
    "usage": ("usage_id",),
    "promotions": ("promotion_id",),
    "transactions": ("transaction_id",),
    "currencies": ("currency",),
    "business_rules": ("key", "valid_from"),
}


class Reference(NamedTuple):
    """`table.column` names a row of `parent` by `parent_column` (null = no reference)."""

    table: str
    column: str
    parent: str
    parent_column: str


#: Every reference in the contract (the `→` columns). A price term is referenced by its id
#: alone, so a quarantined version makes every row naming that id depend on a bad row.
REFERENCES: tuple[Reference, ...] = (
    Reference("payment_methods", "account_id", "accounts", "account_id"),
    Reference("bundle_components", "bundle_product_id", "products", "product_id"),
    Reference("bundle_components", "component_product_id", "products", "product_id"),
    Reference("price_terms", "product_id", "products", "product_id"),
    Reference("allowances", "price_term_id", "price_terms", "price_term_id"),
    Reference("allowances", "usage_product_id", "products", "product_id"),
    Reference("subscriptions", "account_id", "accounts", "account_id"),
    Reference("subscriptions", "payment_method_id", "payment_methods", "payment_method_id"),
    Reference("services", "subscription_id", "subscriptions", "subscription_id"),
    Reference("services", "product_id", "products", "product_id"),
    Reference("services", "price_term_id", "price_terms", "price_term_id"),
    Reference("services", "parent_service_id", "services", "service_id"),
    Reference("actions", "subscription_id", "subscriptions", "subscription_id"),
    Reference("actions", "service_id", "services", "service_id"),
    Reference("actions", "new_product_id", "products", "product_id"),
    Reference("actions", "new_price_term_id", "price_terms", "price_term_id"),
    Reference("actions", "payment_method_id", "payment_methods", "payment_method_id"),
    Reference("actions", "promotion_id", "promotions", "promotion_id"),
    Reference("usage", "service_id", "services", "service_id"),
    Reference("usage", "usage_product_id", "products", "product_id"),
    Reference("promotions", "product_id", "products", "product_id"),
    Reference("transactions", "account_id", "accounts", "account_id"),
)


def optional_columns(table: str) -> tuple[str, ...]:
    """The contract's `?` columns of `table`: a file may omit them (they load as null)."""
    columns = UPSTREAM_MODELS[table].to_schema().columns
    return tuple(name for name, col in columns.items() if (col.metadata or {}).get("optional"))


__all__ = [
    "REFERENCES",
    "REQUIRED_TABLES",
    "TABLE_KEYS",
    "UPSTREAM_MODELS",
    "Reference",
    "optional_columns",
]
