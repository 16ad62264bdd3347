"""Small vectorised helpers shared by the seed modules (numpy in, polars out).

Dates are carried as int32 day numbers since 1970-01-01, timestamps as int64 microseconds
since the epoch (UTC), money as int64 units of 10^-scale (scale 6 unless stated), so that
no float ever touches an amount.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import numpy as np
import polars as pl
import pyarrow as pa

EPOCH = date(1970, 1, 1)
MICRO = 1_000_000

# Currencies the seed uses, with their ISO 4217 minor units.
CURRENCIES: tuple[str, ...] = ("USD", "EUR", "JPY", "KWD")
MINOR_UNITS: dict[str, int] = {"USD": 2, "EUR": 2, "JPY": 0, "KWD": 3}

CYCLES: tuple[str, ...] = ("week", "month", "quarter", "half_year", "year")
MODELS: tuple[str, ...] = ("pre", "post")


def day_number(d: date) -> int:
    return (d - EPOCH).days


def rng_for(seed: int, stream: int) -> np.random.Generator:
    """An independent, reproducible stream per part of the data set."""
    return np.random.default_rng([seed, stream])


def choice(rng: np.random.Generator, n: int, probs: Sequence[float]) -> np.ndarray:
    """n category codes (int64) drawn with the given probabilities (need not sum to 1)."""
    cum = np.cumsum(np.asarray(probs, dtype=np.float64))
    codes = np.searchsorted(cum / cum[-1], rng.random(n), side="right")
    return np.minimum(codes, len(cum) - 1).astype(np.int64)


def group_offsets(counts: np.ndarray) -> np.ndarray:
    """Start index of each group in a flat array laid out group after group."""
    offsets = np.zeros(len(counts), dtype=np.int64)
    if len(counts) > 1:
        np.cumsum(counts[:-1], out=offsets[1:])
    return offsets


def ids(prefix: str, n: int, width: int = 7) -> pl.Series:
    """Ids like "S0000001": the prefix and a counter zero-padded to `width` digits or more."""
    w = max(width, len(str(n)))
    return pl.select(
        (
            pl.lit(prefix) + pl.int_range(1, n + 1, dtype=pl.Int64).cast(pl.String).str.zfill(w)
        ).alias("id")
    ).to_series()


def nullable(values: np.ndarray, null: np.ndarray | None, dtype: pl.DataType) -> pl.Series:
    """A polars series from a numpy array with an optional null mask (True = null)."""
    if null is None or not null.any():
        return pl.Series(values).cast(dtype)
    return pl.from_arrow(pa.array(values, mask=null)).cast(dtype)  # type: ignore[return-value]


def dates(days: np.ndarray, null: np.ndarray | None = None) -> pl.Series:
    return nullable(np.asarray(days, dtype=np.int32), null, pl.Int32).cast(pl.Date)


def pick(values: Sequence[str], codes: np.ndarray, null: np.ndarray | None = None) -> pl.Series:
    """Strings looked up by integer code; codes where `null` is True give null."""
    idx = nullable(np.asarray(codes, dtype=np.int64), null, pl.Int64)
    return pl.Series(list(values), dtype=pl.String).gather(idx)


def round_to(units: np.ndarray, step: np.ndarray | int) -> np.ndarray:
    """Round non-negative integers to a multiple of `step`, half up (exact integer maths)."""
    step = np.asarray(step, dtype=np.int64)
    return ((units + step // 2) // step) * step
