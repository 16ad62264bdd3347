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


STR, I32, DATE, TS, BOOL = "str", "i32", "date", "ts", "bool"
ColumnType = str | Money

# Column order and types of every file written (as in sql/schema/upstream.sql).
TABLES: dict[str, tuple[tuple[str, ColumnType], ...]] = {
    "accounts": (
        ("account_id", STR), ("name", STR), ("currency", STR),
        ("credit_limit", Money(currency_column="currency")), ("classification", STR),
        ("created_on", DATE),
    ),
    "payment_methods": (
        ("payment_method_id", STR), ("account_id", STR), ("kind", STR), ("is_primary", BOOL),
        ("token", STR), ("status", STR),
    ),
    "products": (
        ("product_id", STR), ("name", STR), ("kind", STR), ("tier_path", STR),
        ("bundle_kind", STR),
    ),
    "bundle_components": (
        ("bundle_product_id", STR), ("component_product_id", STR), ("mandatory", BOOL),
        ("extra_amount", Money()),
    ),
    "price_terms": (
        ("price_term_id", STR), ("valid_from", DATE), ("product_id", STR), ("currency", STR),
        ("billing_cycle", STR), ("amount", Money(currency_column="currency")),
        ("billing_model", STR), ("trial_days", I32), ("termed_cycles", I32),
        ("auto_renew", BOOL), ("contract_cycles", I32),
        ("cancellation_fee", Money(currency_column="currency")),
        ("tax_rate", Money(precision=9)), ("concurrent_usage", BOOL),
    ),
    "allowances": (
        ("price_term_id", STR), ("usage_product_id", STR), ("units_per_cycle", Money()),
    ),
    "subscriptions": (
        ("subscription_id", STR), ("account_id", STR), ("currency", STR),
        ("billing_cycle", STR), ("billing_model", STR), ("billing_method", STR),
        ("billing_day", I32), ("bill_days_before", I32), ("payment_method_id", STR),
        ("agreement_date", DATE), ("concurrent_usage", I32),
        ("rate_percent", Money(precision=9, scale=4)),
    ),
    "services": (
        ("service_id", STR), ("subscription_id", STR), ("product_id", STR),
        ("price_term_id", STR), ("quantity", I32), ("ordered_on", DATE),
        ("parent_service_id", STR),
    ),
    "actions": (
        ("action_id", STR), ("subscription_id", STR), ("service_id", STR), ("action", STR),
        ("status", STR), ("status_changed_at", TS), ("effective_on", DATE),
        ("recorded_at", TS), ("new_product_id", STR), ("new_price_term_id", STR),
        ("new_quantity", I32), ("days", I32), ("until_date", DATE), ("cycles", I32),
        ("auto_renew", BOOL), ("billing_day", I32), ("payment_method_id", STR),
        ("promotion_id", STR), ("reason", STR),
    ),
    "usage": (
        ("usage_id", STR), ("service_id", STR), ("usage_product_id", STR),
        ("occurred_on", DATE), ("quantity", Money()),
    ),
    "promotions": (
        ("promotion_id", STR), ("kind", STR), ("value", Money()), ("cycles", I32),
        ("product_id", STR), ("auto_apply", BOOL),
    ),
    "transactions": (
        ("transaction_id", STR), ("account_id", STR), ("kind", STR),
        ("amount", Money(currency_column="currency")), ("currency", STR),
        ("occurred_on", DATE), ("payment_request_id", STR),
    ),
    "currencies": (("currency", STR), ("minor_units", I32)),
    "business_rules": (("key", STR), ("value", STR), ("valid_from", DATE)),
}  # fmt: skip


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


def _typed(df: pl.DataFrame, name: str, typ: ColumnType) -> pl.Series:
    s = df[name]
    if typ == STR:
        return s.cast(pl.String)
    if typ == I32:
        return s.cast(pl.Int32)
    if typ == DATE:
        return s.cast(pl.Date)
    if typ == TS:
        return s.cast(pl.Datetime("us"))
    if typ == BOOL:
        return s.cast(pl.Boolean)
    raise TypeError(f"unexpected column type {typ!r} for {name}")


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
