"""The registry ties each contract table to its model, key, references and warehouse table
(whose DDL is generated from the model: models/ddl.py)."""

import duckdb
import pytest
import sqlglot
from sqlglot import exp
from sqlglot.errors import ErrorLevel

from models import REFERENCES, REQUIRED_TABLES, TABLE_KEYS, UPSTREAM_MODELS, optional_columns
from models.ddl import upstream_table_statements
from pipelines.engine.catalog import SQL_DIR
from pipelines.engine.warehouse import ensure_schema

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
    described = con.execute(
        "SELECT column_name, data_type, is_nullable FROM information_schema.columns "
        "WHERE table_schema = 'upstream' AND table_name = ? ORDER BY ordinal_position",
        [table]).fetchall()
    columns = UPSTREAM_MODELS[table].to_schema().columns
    assert [(name, DUCKDB_TYPES[str(col.dtype)], "YES" if col.nullable else "NO")
            for name, col in columns.items()] == described


def test_the_warehouse_refuses_a_null_where_the_model_does():
    con = duckdb.connect()
    ensure_schema(con)
    con.execute("INSERT INTO upstream.currencies VALUES ('XBT', 4)")
    with pytest.raises(duckdb.ConstraintException, match="NOT NULL"):
        con.execute("INSERT INTO upstream.currencies VALUES ('XBT', NULL)")


def test_the_statements_follow_the_registry_and_create_each_table_once():
    statements = upstream_table_statements()
    created = [sqlglot.parse_one(s, read="duckdb").find(exp.Table) for s in statements]
    assert [(t.db, t.name) for t in created] == [("upstream", t) for t in CONTRACT_TABLES]
    assert all(s.startswith("CREATE TABLE IF NOT EXISTS upstream.") for s in statements)
    # the schema file keeps only the bookkeeping and derived tables: the models are the one
    # declaration of the contract tables
    statements = sqlglot.parse((SQL_DIR / "schema" / "upstream.sql").read_text(), read="duckdb")
    in_file = {s.find(exp.Table).name for s in statements
               if isinstance(s, exp.Create) and s.kind == "TABLE"}
    assert in_file == {"currency_minor_units", "quarantine", "load_stats", "loads",
                       "agreed_subscription_terms", "agreed_service_terms",
                       "subscription_fingerprints", "tied_accounts"}


@pytest.mark.parametrize("dialect", ["duckdb", "spark"])
def test_the_generated_ddl_parses_in_each_dialect(dialect):
    for table, statement in zip(CONTRACT_TABLES, upstream_table_statements(dialect),
                                strict=True):
        tree = sqlglot.parse_one(statement, read=dialect, error_level=ErrorLevel.RAISE)
        assert isinstance(tree, exp.Create) and tree.args.get("exists"), statement
        columns = {c.name: c for c in tree.find_all(exp.ColumnDef)}
        model = UPSTREAM_MODELS[table].to_schema().columns
        assert list(columns) == list(model), table
        for name, col in model.items():
            not_null = any(isinstance(c.kind, exp.NotNullColumnConstraint)
                           for c in columns[name].constraints)
            assert not_null == (not col.nullable), (table, name)


def test_spark_types():
    spark = dict(zip(CONTRACT_TABLES, upstream_table_statements("spark"), strict=True))
    assert spark["actions"].startswith(
        "CREATE TABLE IF NOT EXISTS upstream.actions (action_id STRING NOT NULL, ")
    assert "recorded_at TIMESTAMP_NTZ NOT NULL" in spark["actions"]
    assert "amount DECIMAL(18, 6) NOT NULL" in spark["price_terms"]
    assert "tax_rate DECIMAL(9, 6) NOT NULL" in spark["price_terms"]
    assert "trial_days INT NOT NULL" in spark["price_terms"]
    assert "auto_renew BOOLEAN NOT NULL" in spark["price_terms"]
    assert "valid_from DATE NOT NULL" in spark["price_terms"]


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
