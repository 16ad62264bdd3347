"""Every SQL model transpiles to Spark SQL using only functions Spark knows
(DEVELOPERS.md principle 4). spark_functions.txt is `SHOW FUNCTIONS` of Apache Spark 4.3.0."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
import sqlglot
from sqlglot import exp

from pipelines.engine.catalog import SPARK_FUNCTION_NAMES, default_catalog
from pipelines.engine.context import RunContext

SPARK_FUNCTIONS = {
    line.strip().lower()
    for line in (Path(__file__).parent / "spark_functions.txt").read_text().splitlines()
    if line.strip()
}
PARAMS = RunContext.build(dt.date(2026, 3, 31)).model_parameters(
    "BR-2026-03-31-1", "0123456789abcdef"
) | {"first": dt.date(2026, 3, 1), "last": dt.date(2026, 3, 31)}
CATALOG = default_catalog()
MODELS = list(CATALOG.models) + list(CATALOG.queries) + list(CATALOG.load_models)


def model(name: str):
    return CATALOG.models.get(name) or CATALOG.queries.get(name) or CATALOG.load_models[name]


def spark_sql(name: str, params: dict) -> str:
    return CATALOG.sql(model(name), params, dialect="spark")


CALL = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)\s*\(")


def function_names(tree: exp.Expression) -> set[str]:
    """The names of the functions called in `tree` as Spark SQL spells them (operators,
    CASE and CAST, which Spark parses as syntax, have no call form and are skipped)."""
    names = set()
    for node in tree.find_all(exp.Func):
        if isinstance(node, exp.Cast | exp.TryCast | exp.Case):
            continue
        match = CALL.match(node.sql(dialect="spark"))
        if match:
            names.add(match.group(1).lower())
    return names


def test_every_model_is_found():
    assert "charge_values" in MODELS and "invoice_lines" in MODELS and "run_identity" in MODELS
    assert len(MODELS) >= 60


@pytest.mark.parametrize("name", MODELS)
def test_model_uses_no_function_unknown_to_sqlglot(name):
    # sqlglot passes unknown (DuckDB-only) functions through unchanged as Anonymous, unless
    # spark_sql maps them by name (HASH)
    # (macros are expanded in the parsed tree: none may be left as a call)
    anonymous = [
        n.name for n in model(name).tree.find_all(exp.Anonymous)
        if n.name.upper() not in SPARK_FUNCTION_NAMES
    ]
    assert anonymous == []


@pytest.mark.parametrize("name", MODELS)
def test_model_transpiles_to_functions_spark_knows(name):
    spark = spark_sql(name, PARAMS)
    tree = sqlglot.parse_one(spark, read="spark")
    assert function_names(tree) - SPARK_FUNCTIONS == set(), spark
    code = tree.sql(dialect="spark", comments=False)
    assert "INT128" not in code and "HUGEINT" not in code


def test_fingerprints_keep_64_bits_on_spark():
    spark = spark_sql("subscription_fingerprints", PARAMS)
    assert "XXHASH64(" in spark and "HASH(" not in spark.replace("XXHASH64(", "")


def test_money_type_is_mapped_to_decimal_38():
    spark = spark_sql("charge_values", PARAMS)
    assert "DECIMAL(38, 0)" in spark
