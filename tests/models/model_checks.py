"""Validate hand-written rows against a model and list what failed, readably.

Rows are dicts of already-typed Python values (Decimal, date, datetime); a test states only
the columns it changes from a valid row.
"""

from __future__ import annotations

from typing import Any

import polars as pl
from pandera.polars import DataFrameModel

from models.validation import row_failures


def frame(model: type[DataFrameModel], rows: list[dict[str, Any]]) -> pl.DataFrame:
    types = {c: col.dtype.type for c, col in model.to_schema().columns.items()}
    return pl.DataFrame([{c: r.get(c) for c in types} for r in rows], schema=types, orient="row")


def failures(model: type[DataFrameModel], *rows: dict[str, Any]) -> list[tuple[int, str, str]]:
    """(row, column or '', check_name) of every failed check, in row order."""
    found = row_failures(model, frame(model, list(rows)))
    return [(r, c or "", k) for r, c, k in found.select("row", "column_name", "check_name").rows()]


def messages(model: type[DataFrameModel], *rows: dict[str, Any]) -> list[str]:
    return row_failures(model, frame(model, list(rows))).get_column("message").to_list()
