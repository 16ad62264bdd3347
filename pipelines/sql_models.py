"""Reading, binding and transpiling the SQL models in `sql/`.

Models are written in DuckDB SQL and parsed with sqlglot, never assembled with f-strings:
parameters are `:name` placeholders bound as literals through the AST, and the same AST is
what the Spark transpilation starts from (DEVELOPERS.md principle 4).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import cache
from pathlib import Path

import duckdb
import sqlglot
from sqlglot import exp
from sqlglot.errors import ErrorLevel

SQL_DIR = Path(__file__).resolve().parent.parent / "sql"
MODEL_LAYERS = ("staging", "intermediate", "publish")


def model_file(name: str) -> Path:
    """The file of model `name`, searched across the layers."""
    for layer in MODEL_LAYERS:
        path = SQL_DIR / layer / f"{name}.sql"
        if path.exists():
            return path
    raise FileNotFoundError(f"no SQL model named {name!r} under {SQL_DIR}")


def all_models() -> list[Path]:
    """Every model file, layer by layer."""
    return [p for layer in MODEL_LAYERS for p in sorted((SQL_DIR / layer).glob("*.sql"))]


@cache
def parsed_model(name: str) -> exp.Expression:
    return sqlglot.parse_one(model_file(name).read_text(), read="duckdb")


def literal(value: object) -> exp.Expression:
    """A sqlglot literal for a bound parameter (dates as DATE, decimals exact)."""
    if isinstance(value, dt.datetime):
        return exp.cast(exp.Literal.string(value.isoformat(sep=" ")), "timestamp")
    if isinstance(value, dt.date):
        return exp.cast(exp.Literal.string(value.isoformat()), "date")
    if isinstance(value, bool):
        return exp.Boolean(this=value)
    if isinstance(value, int):
        return exp.Literal.number(value)
    if isinstance(value, Decimal):
        return exp.cast(exp.Literal.number(str(value)), "decimal(18, 6)")
    if value is None:
        return exp.Null()
    return exp.Literal.string(str(value))


def bound_model(name: str, params: dict[str, object], dialect: str = "duckdb") -> str:
    """The model's SQL with its placeholders replaced by literals, in `dialect`."""
    tree = exp.replace_placeholders(
        parsed_model(name).copy(), **{k: literal(v) for k, v in params.items()}
    )
    missing = [p.name for p in tree.find_all(exp.Placeholder)]
    if missing:
        raise KeyError(f"model {name} needs parameters {sorted(set(missing))}")
    return tree.sql(dialect=dialect)


@cache
def _duckdb_statement(name: str, schema: str) -> tuple[str, frozenset[str]]:
    """CREATE TABLE AS for the model, with its placeholders left as DuckDB `$name`
    parameters: parsed and generated once per process, bound by DuckDB on every run."""
    tree = parsed_model(name)
    names = frozenset(p.name for p in tree.find_all(exp.Placeholder))
    return f"CREATE OR REPLACE TABLE {schema}.{name} AS {tree.sql(dialect='duckdb')}", names


# Functions sqlglot does not model but that exist under one name in DuckDB, mapped to their
# Spark counterpart by _portable_types: DuckDB's 64-bit HASH (input fingerprints) would be
# Spark's 32-bit murmur3 HASH; XXHASH64 keeps 64 bits. Fingerprints are only ever compared
# with fingerprints the same engine computed.
SPARK_FUNCTION_NAMES = {"HASH": "XXHASH64"}


def _portable_types(node: exp.Expression) -> exp.Expression:
    """The non-portable constructs of the models, for engines without them (Spark): DuckDB's
    HUGEINT (128-bit integer) for exact money arithmetic becomes DECIMAL(38, 0), and the
    functions of SPARK_FUNCTION_NAMES are renamed."""
    if isinstance(node, exp.DataType) and node.this == exp.DataType.Type.INT128:
        return exp.DataType.build("decimal(38, 0)")
    if isinstance(node, exp.Anonymous) and node.name.upper() in SPARK_FUNCTION_NAMES:
        return exp.Anonymous(
            this=SPARK_FUNCTION_NAMES[node.name.upper()], expressions=node.expressions
        )
    return node


def spark_sql(name: str, params: dict[str, object]) -> str:
    """Model `name` transpiled to Spark SQL with its parameters bound as literals."""
    tree = exp.replace_placeholders(
        parsed_model(name).copy(), **{k: literal(v) for k, v in params.items()}
    )
    return tree.transform(_portable_types).sql(dialect="spark", unsupported_level=ErrorLevel.RAISE)


def materialize(
    con: duckdb.DuckDBPyConnection, name: str, params: dict[str, object], schema: str = "work"
) -> None:
    """Run model `name` and store its rows as table `<schema>.<name>`."""
    statement, names = _duckdb_statement(name, schema)
    missing = names - params.keys()
    if missing:
        raise KeyError(f"model {name} needs parameters {sorted(missing)}")
    con.execute(statement, {k: params[k] for k in names})


def model_dependencies(name: str) -> set[str]:
    """The work tables model `name` reads, taken from its AST (so they cannot drift)."""
    return {
        t.name
        for t in parsed_model(name).find_all(exp.Table)
        if t.db == "work" and t.name != name
    }


def release_points(order: list[str], keep: set[str]) -> dict[str, list[str]]:
    """For each model of `order`, the staging and intermediate tables no later model reads
    once it has run: they can be dropped then (the work catalog lives in memory, and a first
    run's intermediate tables would otherwise crowd out the rest and spill to disk). Publish
    models and the tables in `keep` stay for the publish step."""
    last_reader = {name: name for name in order}
    for name in order:
        for dependency in model_dependencies(name):
            last_reader[dependency] = name
    points: dict[str, list[str]] = {name: [] for name in order}
    for table, reader in last_reader.items():
        if table not in keep and model_file(table).parent.name != "publish":
            points[reader].append(table)
    return points


def run_order(targets: tuple[str, ...] | None = None) -> list[str]:
    """Every model (or those `targets` need) in dependency order."""
    return list(_run_order(targets))


@cache
def _run_order(targets: tuple[str, ...] | None) -> tuple[str, ...]:
    names = [p.stem for p in all_models()] if targets is None else list(targets)
    order: list[str] = []
    seen: set[str] = set()

    def visit(model: str, path: tuple[str, ...]) -> None:
        if model in seen:
            return
        if model in path:
            raise ValueError(f"models depend on each other in a cycle: {' -> '.join(path)}")
        for dep in sorted(model_dependencies(model)):
            visit(dep, (*path, model))
        seen.add(model)
        order.append(model)

    for model in names:
        visit(model, ())
    return tuple(order)
