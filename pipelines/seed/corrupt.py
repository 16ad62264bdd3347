"""Deliberately bad rows, so that a demo load has something to quarantine.

`corrupt` edits rows in place (the row counts never change), cycling through a fixed list
of defects; which rows are hit depends only on the seed.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import polars as pl

from ._util import MICRO, rng_for

# (table, column, row, text): cells the CSV writer replaces with unparseable text.
TextOverride = tuple[str, str, int, str]
Tables = dict[str, pl.DataFrame]


def _set(df: pl.DataFrame, column: str, rows: np.ndarray, value: object) -> pl.DataFrame:
    hit = pl.int_range(pl.len()).is_in(pl.Series(rows, dtype=pl.Int64).implode())
    new = value if isinstance(value, pl.Expr) else pl.lit(value, dtype=df.schema[column])
    return df.with_columns(pl.when(hit).then(new).otherwise(pl.col(column)).alias(column))


def _pick(rng: np.random.Generator, eligible: np.ndarray, count: int) -> np.ndarray:
    if len(eligible) == 0 or count == 0:
        return np.zeros(0, dtype=np.int64)
    return np.sort(rng.choice(eligible, size=min(count, len(eligible)), replace=False))


def _all(df: pl.DataFrame) -> np.ndarray:
    return np.arange(df.height, dtype=np.int64)


def _quantity_zero(t: Tables, rng: np.random.Generator, k: int, fmt: str) -> list[TextOverride]:
    t["services"] = _set(t["services"], "quantity", _pick(rng, _all(t["services"]), k), 0)
    return []


def _tax_rate(t: Tables, rng: np.random.Generator, k: int, fmt: str) -> list[TextOverride]:
    rows = _pick(rng, _all(t["price_terms"]), k)
    t["price_terms"] = _set(t["price_terms"], "tax_rate", rows, 3 * MICRO // 2)  # 1.5
    return []


def _currency(t: Tables, rng: np.random.Generator, k: int, fmt: str) -> list[TextOverride]:
    t["accounts"] = _set(t["accounts"], "currency", _pick(rng, _all(t["accounts"]), k), "XXX")
    return []


def _weekly_day(t: Tables, rng: np.random.Generator, k: int, fmt: str) -> list[TextOverride]:
    subs = t["subscriptions"]
    weekly = np.flatnonzero((subs["billing_cycle"] == "week").to_numpy())
    t["subscriptions"] = _set(subs, "billing_day", _pick(rng, weekly, k), 9)
    return []


def _duplicate_service(t: Tables, rng: np.random.Generator, k: int, fmt: str) -> list[TextOverride]:
    svc = t["services"]
    rows = _pick(rng, np.arange(1, svc.height, dtype=np.int64), k)
    t["services"] = _set(svc, "service_id", rows, pl.col("service_id").shift(1))
    return []


def _foreign_service(t: Tables, rng: np.random.Generator, k: int, fmt: str) -> list[TextOverride]:
    """An action naming a service of another subscription."""
    act = t["actions"]
    subs = t["subscriptions"]["subscription_id"]
    rows = _pick(rng, np.flatnonzero(act["service_id"].is_not_null().to_numpy()), k)
    if len(rows) == 0 or subs.len() < 2:
        return []
    current = act["subscription_id"].gather(rows).to_list()
    other = [subs[int(rng.integers(0, subs.len()))] for _ in rows]
    other = [o if o != c else subs[(subs.index_of(c) + 1) % subs.len()] for o, c in zip(
        other, current, strict=True)]  # fmt: skip
    new = act["subscription_id"].scatter(rows, other)
    t["actions"] = act.with_columns(new)
    return []


def _bad_date(t: Tables, rng: np.random.Generator, k: int, fmt: str) -> list[TextOverride]:
    """CSV: an unparseable ordered_on; Parquet (typed dates): a negative payment."""
    if fmt == "csv":
        rows = _pick(rng, _all(t["services"]), k)
        return [("services", "ordered_on", int(r), "2026-02-30") for r in rows]
    tx = t["transactions"]
    t["transactions"] = _set(tx, "amount", _pick(rng, _all(tx), k), -pl.col("amount"))
    return []


def _payment_kind(t: Tables, rng: np.random.Generator, k: int, fmt: str) -> list[TextOverride]:
    pm = t["payment_methods"]
    t["payment_methods"] = _set(pm, "kind", _pick(rng, _all(pm), k), "cheque")
    return []


def _action_kind(t: Tables, rng: np.random.Generator, k: int, fmt: str) -> list[TextOverride]:
    act = t["actions"]
    t["actions"] = _set(act, "action", _pick(rng, _all(act), k), "teleport")
    return []


DEFECTS: tuple[Callable[[Tables, np.random.Generator, int, str], list[TextOverride]], ...] = (
    _quantity_zero,  # services.quantity = 0
    _tax_rate,  # price_terms.tax_rate = 1.5
    _currency,  # accounts.currency = XXX
    _weekly_day,  # subscriptions: billing_day 9 on a weekly cycle
    _duplicate_service,  # services: a duplicate service_id
    _foreign_service,  # actions: service of another subscription
    _bad_date,  # services.ordered_on 2026-02-30 (CSV) / negative transaction amount
    _payment_kind,  # payment_methods.kind = cheque
    _action_kind,  # actions.action = teleport
)


def corrupt(tables: Tables, bad_rows: int, seed: int, fmt: str) -> list[TextOverride]:
    """Spread `bad_rows` defects over the tables (in place); return CSV text overrides."""
    rng = rng_for(seed, 99)
    overrides: list[TextOverride] = []
    n = len(DEFECTS)
    for i, defect in enumerate(DEFECTS):
        count = bad_rows // n + (1 if i < bad_rows % n else 0)
        if count:
            overrides += defect(tables, rng, count, fmt)
    return overrides
