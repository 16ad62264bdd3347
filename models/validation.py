"""Run a model over a frame and name each failed check per row, in plain English.

Pandera reports failures as (schema context, column, check number, row index); this turns
them into the quarantine vocabulary: `not_null`, `enum`, `range`, `format`, or the name of a
custom rule, with a message such as "quantity must be >= 1, got 0".
"""

from __future__ import annotations

from functools import cache

import polars as pl
from pandera.api.checks import Check
from pandera.errors import SchemaErrors
from pandera.polars import DataFrameModel

FAILURE_SCHEMA = {"row": pl.UInt32, "column_name": pl.String, "check_name": pl.String,
                  "message": pl.String}


def row_failures(model: type[DataFrameModel], frame: pl.DataFrame) -> pl.DataFrame:
    """One row (row, column_name, check_name, message) per failed check of a frame row.

    `frame` must already have the model's column types: a type error is a bug of the caller,
    not a bad row, and raises."""
    try:
        model.validate(frame, lazy=True)  # a DataFrame gets schema and data checks
    except SchemaErrors as exc:
        cases = exc.failure_cases.with_columns(
            pl.when(pl.col("check") == "not_nullable").then(-1)
            .otherwise(pl.col("check_number")).cast(pl.Int32).alias("check_number")
        )
        found = cases.join(catalog(model), on=["schema_context", "column", "check_number"],
                           how="left")
        if found.filter(pl.col("check_name").is_null() | pl.col("index").is_null()).height:
            raise TypeError(f"{model.__name__}: the frame does not fit the model: {exc}") from exc
        value = pl.col("failure_case")
        return found.select(
            pl.col("index").cast(pl.UInt32).alias("row"),
            pl.col("column_name"),
            pl.col("check_name"),
            message=pl.when(pl.col("show_value") & value.is_not_null())
            .then(pl.concat_str(pl.col("message"), pl.lit(", got "), value))
            .otherwise(pl.col("message")),
        ).sort("row", "column_name", "check_name", nulls_last=True)
    return pl.DataFrame(schema=FAILURE_SCHEMA)


def describe(column: str, check: Check) -> tuple[str, str]:
    """(check_name, message) of one column check; custom rules carry their own."""
    stats = check.statistics or {}
    match check.name:
        case "isin":
            return "enum", f"{column} must be one of {', '.join(stats['allowed_values'])}"
        case "greater_than_or_equal_to":
            return "range", f"{column} must be >= {stats['min_value']}"
        case "greater_than":
            return "range", f"{column} must be > {stats['min_value']}"
        case "less_than_or_equal_to":
            return "range", f"{column} must be <= {stats['max_value']}"
        case "less_than":
            return "range", f"{column} must be < {stats['max_value']}"
        case "in_range":
            low = "[" if stats["include_min"] else "("
            high = "]" if stats["include_max"] else ")"
            return "range", (f"{column} must be in {low}{stats['min_value']}, "
                             f"{stats['max_value']}{high}")
        case "str_matches":
            return "format", f"{column} must match {stats['pattern']}"
    return check.name, check.error or check.name


@cache
def catalog(model: type[DataFrameModel]) -> pl.DataFrame:
    """Every check of a model, keyed as pandera reports it: (context, column, number)."""
    schema = model.to_schema()
    rows = []
    for column, spec in schema.columns.items():
        rows.append(("Column", column, -1, "not_null", f"{column} is required", column, False))
        for number, check in enumerate(spec.checks):
            rows.append(("Column", column, number, *describe(column, check), column, True))
    for number, check in enumerate(schema.checks):
        rows.append(("DataFrameSchema", schema.name, number, check.name,
                     check.error or check.name, None, False))
    return pl.DataFrame(rows, orient="row", schema={
        "schema_context": pl.String, "column": pl.String, "check_number": pl.Int32,
        "check_name": pl.String, "message": pl.String, "column_name": pl.String,
        "show_value": pl.Boolean,
    })
