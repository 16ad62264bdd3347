"""`write_seed`: a realistic, deterministic upstream data set, one file per contract table.

Everything is generated column-wise with numpy (random draws from one PCG64 stream per
part, keyed by the seed) and polars; there is no Python loop over accounts, subscriptions,
services or actions. Money is carried as integer micro units (10^-6) and written as exact
Decimal(18, 6) in Parquet (tax_rate Decimal(9, 6)) or as decimal text in CSV.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl
import pyarrow as pa
from pandera.polars import DataFrameModel

from models import UPSTREAM_MODELS

from ._util import MINOR_UNITS, day_number
from .accounts import build_accounts
from .actions import build_actions
from .catalog import build_catalog
from .corrupt import TextOverride, corrupt
from .subscriptions import build_subscriptions

FORMATS = ("parquet", "csv")
CSV_DATETIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


@dataclass(frozen=True)
class Money:
    """A decimal column held as integers in units of 10^-scale."""

    precision: int = 18
    scale: int = 6
    currency_column: str | None = None  # CSV shows at least the currency's minor units


#: The one thing about the files that the models do not say: the money columns written in
#: CSV with at least the minor units of the row's currency (table -> column -> currency column).
CURRENCY_COLUMNS: dict[str, dict[str, str]] = {
    "accounts": {"credit_limit": "currency"},
    "price_terms": {"amount": "currency", "cancellation_fee": "currency"},
    "transactions": {"amount": "currency"},
}

ColumnType = pl.DataType | Money


def _spec(table: str, model: type[DataFrameModel]) -> tuple[tuple[str, ColumnType], ...]:
    """(column, type) of the table's file: the model's columns, in its order; its decimals
    as Money of the model's precision and scale."""
    columns = {name: column.dtype.type for name, column in model.to_schema().columns.items()}
    currency = CURRENCY_COLUMNS.get(table, {})
    for money, of in currency.items():  # the mapping must name columns the model has
        if not isinstance(columns.get(money), pl.Decimal) or columns.get(of) != pl.String:
            raise TypeError(f"CURRENCY_COLUMNS: {table}.{money} is not a decimal column with "
                            f"a text currency column {of}")
    return tuple(
        (name, Money(dtype.precision, dtype.scale, currency.get(name))
         if isinstance(dtype, pl.Decimal) else dtype)
        for name, dtype in columns.items()
    )


#: Column order and types of every file written, from the models (models.UPSTREAM_MODELS).
TABLES: dict[str, tuple[tuple[str, ColumnType], ...]] = {
    table: _spec(table, model) for table, model in UPSTREAM_MODELS.items()
}


def build_tables(
    subscriptions: int, seed: int = 0, start: date = date(2026, 1, 1), days: int = 120
) -> dict[str, pl.DataFrame]:
    """The data set in memory, money as integer units of 10^-scale (see `TABLES`)."""
    if subscriptions < 1:
        raise ValueError("subscriptions must be at least 1")
    if days < 1:
        raise ValueError("days must be at least 1")
    start_day = day_number(start)
    end_day = start_day + days
    catalog = build_catalog(seed, start, days)
    n_accounts = max(1, min(subscriptions, round(subscriptions / 1.5)))
    acc = build_accounts(seed, n_accounts, start_day, end_day)
    subs = build_subscriptions(seed, subscriptions, acc, catalog.term_ids, start_day, end_day)
    act = build_actions(seed, subs, acc, catalog.term_ids, start_day, end_day)
    tables = {
        "accounts": acc.accounts,
        "payment_methods": acc.payment_methods,
        "products": catalog.products,
        "bundle_components": catalog.bundle_components,
        "price_terms": catalog.price_terms,
        "allowances": catalog.allowances,
        "subscriptions": subs.subscriptions,
        "services": subs.services,
        "actions": act.actions,
        "usage": act.usage,
        "promotions": catalog.promotions,
        "transactions": acc.transactions,
        "currencies": catalog.currencies,
        "business_rules": catalog.business_rules,
    }
    assert tables.keys() == TABLES.keys()
    return {name: df.select([c for c, _ in TABLES[name]]) for name, df in tables.items()}


def write_seed(
    out_dir: Path,
    subscriptions: int,
    seed: int = 0,
    start: date = date(2026, 1, 1),
    days: int = 120,
    fmt: str = "parquet",
    bad_rows: int = 0,
) -> dict[str, int]:
    """Write one `<table>.parquet` or `<table>.csv` per upstream table; return rows per table.

    The same arguments always give byte-identical files. A file of the same table in the
    other format is removed, so that the folder holds exactly one file per table.
    `bad_rows` > 0 corrupts that many rows across tables (see `corrupt.DEFECTS`).
    """
    if fmt not in FORMATS:
        raise ValueError(f"fmt must be one of {FORMATS}, not {fmt!r}")
    if bad_rows < 0:
        raise ValueError("bad_rows must be >= 0")
    tables = build_tables(subscriptions, seed, start, days)
    overrides = corrupt(tables, bad_rows, seed, fmt) if bad_rows else []
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    for name, df in tables.items():
        other = out / f"{name}.{'csv' if fmt == 'parquet' else 'parquet'}"
        other.unlink(missing_ok=True)
        path = out / f"{name}.{fmt}"
        if fmt == "parquet":
            to_parquet_frame(df, TABLES[name]).write_parquet(path, compression="zstd")
        else:
            mine = [o for o in overrides if o[0] == name]
            frame = to_csv_frame(df, TABLES[name], mine)
            frame.write_csv(path, datetime_format=CSV_DATETIME_FORMAT, null_value="")
        counts[name] = df.height
    return counts


# --- output conversion --------------------------------------------------------------------


def _decimal(values: pl.Series, precision: int, scale: int) -> pl.Series:
    """Integers in units of 10^-scale reinterpreted, exactly, as Decimal(precision, scale)."""
    n = values.len()
    ints = values.fill_null(0).cast(pl.Int64).to_numpy()
    words = np.empty((n, 2), dtype=np.int64)
    words[:, 0] = ints
    words[:, 1] = ints >> 63  # sign extension into the high 64 bits of the int128
    valid = values.is_not_null().to_numpy()
    bitmap = None if valid.all() else pa.py_buffer(np.packbits(valid, bitorder="little"))
    arr = pa.Array.from_buffers(pa.decimal128(precision, scale), n, [bitmap, pa.py_buffer(words)])
    return pl.from_arrow(arr).alias(values.name)  # type: ignore[return-value]


def _decimal_text(values: pl.Series, scale: int, min_digits: np.ndarray | int) -> pl.Series:
    """Integers in units of 10^-scale as decimal text: "19.99", "1500", "6.135", "4.613"."""
    ints = values.fill_null(0).cast(pl.Int64).to_numpy()
    unit = 10**scale
    mag = np.abs(ints)
    frac = mag % unit
    zeros = np.zeros(len(ints), dtype=np.int64)
    for k in range(1, scale + 1):
        zeros += frac % 10**k == 0
    digits = np.clip(np.maximum(scale - zeros, min_digits), 0, scale)
    parts = pl.DataFrame({"neg": ints < 0, "int": mag // unit, "frac": frac, "digits": digits})
    text = parts.select(
        pl.when(pl.col("neg")).then(pl.lit("-")).otherwise(pl.lit(""))
        + pl.col("int").cast(pl.String)
        + pl.when(pl.col("digits") > 0)
        .then(
            pl.lit(".")
            + pl.col("frac").cast(pl.String).str.zfill(scale).str.slice(0, pl.col("digits"))
        )
        .otherwise(pl.lit(""))
    ).to_series()
    return text.set(values.is_null(), None).alias(values.name)


def _typed(df: pl.DataFrame, name: str, typ: pl.DataType) -> pl.Series:
    return df[name].cast(typ)


def to_parquet_frame(df: pl.DataFrame, spec: tuple[tuple[str, ColumnType], ...]) -> pl.DataFrame:
    cols = []
    for name, typ in spec:
        if isinstance(typ, Money):
            cols.append(_decimal(df[name], typ.precision, typ.scale))
        else:
            cols.append(_typed(df, name, typ))
    return pl.DataFrame(cols)


def to_csv_frame(
    df: pl.DataFrame,
    spec: tuple[tuple[str, ColumnType], ...],
    overrides: list[TextOverride] | None = None,
) -> pl.DataFrame:
    cols = []
    for name, typ in spec:
        if isinstance(typ, Money):
            min_digits: np.ndarray | int = 0
            if typ.currency_column:
                min_digits = (
                    df[typ.currency_column]
                    .replace_strict(MINOR_UNITS, default=2, return_dtype=pl.Int64)
                    .to_numpy()
                )
            cols.append(_decimal_text(df[name], typ.scale, min_digits))
        else:
            cols.append(_typed(df, name, typ))
    frame = pl.DataFrame(cols)
    for _, column, row, text in overrides or []:
        frame = frame.with_columns(frame[column].cast(pl.String).scatter(row, text))
    return frame
