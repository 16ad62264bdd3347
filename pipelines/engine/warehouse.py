"""The embedded warehouse: one DuckDB file, opened by one writer at a time.

DuckDB takes an exclusive file lock for a read-write connection, so a second bill run (or a
load) started while another process holds the warehouse fails to open it; we turn that into
one clear message instead of DuckDB's IO error.
"""

from __future__ import annotations

import os
from functools import cache
from importlib.util import find_spec
from pathlib import Path

import duckdb

from pipelines.derived_cache import derived
from pipelines.engine.catalog import SQL_DIR, default_catalog
from pipelines.settings import DEFAULT_MEMORY_LIMIT

#: Run in order by `ensure_schema`: the upstream schema and its bookkeeping tables, the
#: contract tables generated from their models (models/ddl.py), then the published schema and
#: the engine's private state (sql/schema/state.sql).
SCHEMA_FILES = ("schema/upstream.sql", "schema/published.sql", "schema/state.sql")


class WarehouseBusy(RuntimeError):
    """Another process holds the warehouse (a run or a load is in progress)."""


def connect(
    path: str | os.PathLike[str], memory_limit: str = DEFAULT_MEMORY_LIMIT
) -> duckdb.DuckDBPyConnection:
    """Open the warehouse read-write, creating it and its schemas on first use. The memory cap
    makes large runs spill to disk instead of growing without bound."""
    target = Path(path)
    if str(target) != ":memory:":
        target.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(str(target), config={"memory_limit": memory_limit})
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            raise WarehouseBusy(
                f"the warehouse {target} is in use by another process (a bill run or a load "
                "is in progress); wait for it to finish and try again"
            ) from exc
        raise
    ensure_schema(con)
    return con


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the upstream and published schemas if they do not exist yet, and attach the
    `work` catalog: an in-memory database for a run's intermediate tables, which never need
    to reach the warehouse file (only the publish step writes there, in one transaction)."""
    # The models' tables carry no meaningful order (every reader sorts or aggregates), so
    # DuckDB need not preserve insertion order.
    con.execute("SET preserve_insertion_order = false")
    upstream_file, *other_files = SCHEMA_FILES
    con.execute((SQL_DIR / upstream_file).read_text())
    for statement in _upstream_tables():
        con.execute(statement)
    for name in other_files:
        con.execute((SQL_DIR / name).read_text())
    con.execute("ATTACH IF NOT EXISTS ':memory:' AS work")


def derive_load_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Replace the tables derived from the upstream snapshot alone (the load models,
    `sql/load/`, each into upstream.<name>). Called by whatever writes a snapshot, inside its
    transaction, so that a snapshot and what is derived from it are never out of step."""
    for model in default_catalog().load_models.values():
        con.execute(f"CREATE OR REPLACE TABLE upstream.{model.name} AS {model.duckdb_sql}")


@cache
def _upstream_tables() -> list[str]:
    """The contract tables' DDL (models/ddl.py), kept in the derived cache: generating it
    imports pandera, which a run that only opens the warehouse need not pay for. Read once
    per process (every connection reuses it)."""
    (models_dir,) = find_spec("models").submodule_search_locations

    def generate() -> list[str]:
        from models.ddl import upstream_table_statements

        return upstream_table_statements("duckdb")

    return derived("upstream_ddl", Path(models_dir).glob("*.py"), generate)
