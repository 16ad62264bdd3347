"""The warehouse DDL of the upstream contract tables, generated from their pandera models.

The models are the one declaration of each contract table's columns: `upstream_table_statements`
builds `CREATE TABLE IF NOT EXISTS upstream.<table> (...)` for every table of
`UPSTREAM_MODELS`, in registry order, with the model's column order and types and NOT NULL
exactly where the model's column is not nullable (a loaded row has passed its model). The
statements are sqlglot expressions rendered for a dialect, so the same tables can be created
on DuckDB (the warehouse) or Spark.

The bookkeeping tables of the upstream schema (quarantine, load statistics, agreed terms, ...)
have no model and stay in sql/schema/upstream.sql, which also creates the schema.
"""

from __future__ import annotations

from functools import cache

import polars as pl
from pandera.polars import DataFrameModel
from sqlglot import exp

from models import UPSTREAM_MODELS

SCHEMA = "upstream"

_SIMPLE_TYPES: dict[type[pl.DataType], exp.DataType.Type] = {
    pl.String: exp.DataType.Type.VARCHAR,
    pl.Int32: exp.DataType.Type.INT,
    pl.Date: exp.DataType.Type.DATE,
    pl.Boolean: exp.DataType.Type.BOOLEAN,
}


def column_type(dtype: pl.DataType) -> exp.DataType:
    """The SQL type of a model column's polars type (DuckDB: VARCHAR, INTEGER, DATE,
    TIMESTAMP, BOOLEAN, DECIMAL(p,s)); a type the contract does not use raises TypeError."""
    if isinstance(dtype, pl.Decimal):
        return exp.DataType(
            this=exp.DataType.Type.DECIMAL,
            expressions=[exp.DataTypeParam(this=exp.Literal.number(dtype.precision)),
                         exp.DataTypeParam(this=exp.Literal.number(dtype.scale))],
        )
    if isinstance(dtype, pl.Datetime):
        if dtype.time_unit != "us":
            raise TypeError(f"unsupported timestamp unit {dtype.time_unit!r} (only 'us')")
        # a naive timestamp (UTC by convention): DuckDB TIMESTAMP, Spark TIMESTAMP_NTZ
        kind = exp.DataType.Type.TIMESTAMPNTZ if dtype.time_zone is None \
            else exp.DataType.Type.TIMESTAMPTZ
        return exp.DataType(this=kind)
    kind = _SIMPLE_TYPES.get(dtype.base_type())
    if kind is None:
        raise TypeError(f"no SQL type for the polars type {dtype}")
    return exp.DataType(this=kind)


def create_table(table: str, model: type[DataFrameModel]) -> exp.Create:
    """`CREATE TABLE IF NOT EXISTS upstream.<table>` with the model's columns."""
    columns = []
    for name, column in model.to_schema().columns.items():
        constraints = [] if column.nullable else [
            exp.ColumnConstraint(kind=exp.NotNullColumnConstraint())]
        columns.append(exp.ColumnDef(
            this=exp.to_identifier(name), kind=column_type(column.dtype.type),
            constraints=constraints,
        ))
    target = exp.Table(this=exp.to_identifier(table), db=exp.to_identifier(SCHEMA))
    return exp.Create(this=exp.Schema(this=target, expressions=columns), kind="TABLE",
                      exists=True)


def upstream_table_expressions() -> list[exp.Create]:
    """The CREATE TABLE expression of every contract table, in registry order."""
    return [create_table(table, model) for table, model in UPSTREAM_MODELS.items()]


def upstream_table_statements(dialect: str = "duckdb") -> list[str]:
    """The CREATE TABLE statements of every contract table, in registry order, as SQL text
    of `dialect` (any sqlglot dialect: "duckdb" for the warehouse, "spark", ...)."""
    return list(_statements(dialect))


@cache
def _statements(dialect: str) -> tuple[str, ...]:
    """The models do not change while the process runs: every connection reuses the text."""
    return tuple(create.sql(dialect=dialect) for create in upstream_table_expressions())


__all__ = ["column_type", "create_table", "upstream_table_expressions",
           "upstream_table_statements"]
