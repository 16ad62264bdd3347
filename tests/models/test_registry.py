"""The registry ties each contract table to its model, key, references and warehouse table."""

import duckdb
import pytest

from models import REFERENCES, REQUIRED_TABLES, TABLE_KEYS, UPSTREAM_MODELS, optional_columns
from pipelines.warehouse import ensure_schema

CONTRACT_TABLES = (
    "accounts", "payment_methods", "products", "bundle_components", "price_terms",
    "allowances", "subscriptions", "services", "actions", "usage", "promotions",
    "transactions", "currencies", "business_rules",
)
DUCKDB_TYPES = {"String": "VARCHAR", "Int32": "INTEGER", "Date": "DATE", "Boolean": "BOOLEAN",
                "Datetime(time_unit='us', time_zone=None)": "TIMESTAMP",
                "Decimal(precision=18, scale=6)": "DECIMAL(18,6)",
                "Decimal(precision=9, scale=6)": "DECIMAL(9,6)",
                "Decimal(precision=9, scale=4)": "DECIMAL(9,4)"}


def test_every_contract_table_has_a_model_and_a_key():
    assert tuple(UPSTREAM_MODELS) == CONTRACT_TABLES
    assert tuple(TABLE_KEYS) == CONTRACT_TABLES
    assert REQUIRED_TABLES == (
        "accounts", "products", "price_terms", "subscriptions", "services", "actions")


@pytest.mark.parametrize("table", CONTRACT_TABLES)
def test_model_columns_match_the_warehouse_table(table):
    con = duckdb.connect()
    ensure_schema(con)
    described = con.execute(f"DESCRIBE upstream.{table}").fetchall()
    columns = UPSTREAM_MODELS[table].to_schema().columns
    assert [(name, DUCKDB_TYPES[str(col.dtype)]) for name, col in columns.items()] == [
        (row[0], row[1]) for row in described
    ]


def test_keys_and_references_name_real_columns():
    for table, key in TABLE_KEYS.items():
        assert set(key) <= set(UPSTREAM_MODELS[table].to_schema().columns), table
    for ref in REFERENCES:
        assert ref.column in UPSTREAM_MODELS[ref.table].to_schema().columns, ref
        assert ref.parent_column in UPSTREAM_MODELS[ref.parent].to_schema().columns, ref


def test_optional_columns_are_the_contract_question_marks():
    assert optional_columns("subscriptions") == (
        "billing_day", "payment_method_id", "concurrent_usage", "rate_percent")
    assert optional_columns("price_terms") == ("billing_cycle", "termed_cycles",
                                               "contract_cycles")
    assert optional_columns("services") == ("parent_service_id",)
    assert optional_columns("usage") == ()
