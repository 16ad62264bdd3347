"""Accounts, their payment methods and their transactions (payments, top-ups, refunds)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl
import pyarrow as pa

from ._util import (
    CURRENCIES,
    MICRO,
    choice,
    dates,
    group_offsets,
    ids,
    pick,
    rng_for,
    round_to,
)

FIRST_NAMES = (
    "Anna", "Ben", "Chloe", "David", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jonas",
    "Kaito", "Laura", "Mateo", "Nadia", "Omar", "Paula", "Quinn", "Rosa", "Sven", "Tariq",
    "Uma", "Victor", "Wen", "Yara", "Zoe", "Aiko", "Bruno", "Clara", "Dmitri", "Fatima",
)  # fmt: skip
LAST_NAMES = (
    "Adams", "Becker", "Costa", "Dubois", "Evans", "Fischer", "Garcia", "Hassan", "Ito",
    "Jensen", "Kowalski", "Lopez", "Müller", "Nakamura", "Okafor", "Petrov", "Rossi", "Sato",
    "Schmidt", "Tanaka", "Weber", "Yilmaz", "Al-Sabah", "Novak", "Martin", "Silva",
)  # fmt: skip
COMPANY_SUFFIXES = ("Ltd", "GmbH", "LLC", "K.K.", "W.L.L.", "SARL")
CLASSIFICATIONS = ("retail", "business", "vip")

# Credit limits in major units per currency (USD, EUR, JPY, KWD).
_CREDIT_LEVELS = np.array([[50, 100, 500], [50, 100, 500], [5000, 10000, 50000], [20, 50, 150]])

PM_KINDS = ("card", "direct_debit", "wallet")
PM_STATUSES = ("active", "expired", "revoked")
TX_KINDS = ("payment", "payment_failed", "wallet_topup", "refund", "adjustment")


@dataclass(frozen=True)
class AccountData:
    accounts: pl.DataFrame
    payment_methods: pl.DataFrame
    transactions: pl.DataFrame
    account_currency: np.ndarray  # currency code per account
    pm_offset: np.ndarray  # first payment-method row of each account
    pm_count: np.ndarray  # payment methods per account
    pm_ids: pl.Series


def _tokens(rng: np.random.Generator, n: int) -> pl.Series:
    """'tok_' + 16 random hex digits."""
    raw = rng.integers(0, 256, size=n * 8, dtype=np.uint8)
    arr = pa.FixedSizeBinaryArray.from_buffers(pa.binary(8), n, [None, pa.py_buffer(raw)])
    hexed = pl.from_arrow(arr).cast(pl.Binary).bin.encode("hex")  # type: ignore[union-attr]
    return pl.select(pl.lit("tok_") + hexed).to_series()


def build_accounts(seed: int, n_accounts: int, start_day: int, end_day: int) -> AccountData:
    rng = rng_for(seed, 2)
    n = n_accounts
    cur = choice(rng, n, [0.45, 0.35, 0.10, 0.10])
    cur[: min(n, len(CURRENCIES))] = np.arange(min(n, len(CURRENCIES)))  # all four present
    has_limit = rng.random(n) < 0.2
    level = _CREDIT_LEVELS[cur, rng.integers(0, 3, n)]
    credit_limit = np.where(has_limit, level * MICRO, 0).astype(np.int64)
    cls = choice(rng, n, [0.72, 0.18, 0.05, 0.05])  # retail, business, vip, none
    created = start_day - rng.integers(30, 3650, n)
    first = pick(FIRST_NAMES, rng.integers(0, len(FIRST_NAMES), n))
    last = pick(LAST_NAMES, rng.integers(0, len(LAST_NAMES), n))
    suffix = pick(COMPANY_SUFFIXES, rng.integers(0, len(COMPANY_SUFFIXES), n))
    names = pl.select(
        pl.when(pl.Series(cls == 1))
        .then(pl.concat_str([last, pl.lit(" "), suffix]))
        .otherwise(pl.concat_str([first, pl.lit(" "), last]))
    ).to_series()
    account_ids = ids("C", n)
    accounts = pl.DataFrame(
        {
            "account_id": account_ids,
            "name": names,
            "currency": pick(CURRENCIES, cur),
            "credit_limit": credit_limit,
            "classification": pick(CLASSIFICATIONS, np.minimum(cls, 2), cls == 3),
            "created_on": dates(created),
        }
    )

    # --- payment methods: primary card / direct debit, wallet, old expired card --------
    acc = np.arange(n, dtype=np.int64)
    primary_kind = choice(rng, n, [0.55, 0.25, 0.20])  # card, direct_debit, none
    has_primary = primary_kind < 2
    primary_status = choice(rng, n, [0.92, 0.06, 0.02])
    has_wallet = rng.random(n) < 0.85
    has_old = rng.random(n) < 0.12
    old_status = np.where(rng.random(n) < 0.7, 1, 2)
    pm_acc = np.concatenate([acc[has_primary], acc[has_wallet], acc[has_old]])
    pm_slot = np.concatenate(
        [np.zeros(has_primary.sum()), np.ones(has_wallet.sum()), np.full(has_old.sum(), 2)]
    ).astype(np.int64)
    pm_kind = np.concatenate(
        [primary_kind[has_primary], np.full(has_wallet.sum(), 2), np.zeros(has_old.sum())]
    ).astype(np.int64)
    pm_status = np.concatenate(
        [primary_status[has_primary], np.zeros(has_wallet.sum()), old_status[has_old]]
    ).astype(np.int64)
    order = np.lexsort((pm_slot, pm_acc))
    pm_acc, pm_slot, pm_kind, pm_status = (a[order] for a in (pm_acc, pm_slot, pm_kind, pm_status))
    n_pm = len(pm_acc)
    tokens = _tokens(rng, n_pm)
    pm_ids = ids("PM", n_pm)
    payment_methods = pl.DataFrame(
        {
            "payment_method_id": pm_ids,
            "account_id": account_ids.gather(pm_acc),
            "kind": pick(PM_KINDS, pm_kind),
            "is_primary": pm_slot == 0,
            "token": tokens.set(pl.Series(pm_kind == 2), None),
            "status": pick(PM_STATUSES, pm_status),
        }
    )
    pm_count = np.bincount(pm_acc, minlength=n).astype(np.int64)

    # --- transactions ------------------------------------------------------------------
    tx_count = np.minimum(rng.poisson(1.4, n), 6)
    tx_acc = np.repeat(acc, tx_count)
    m = len(tx_acc)
    tx_cur = cur[tx_acc]
    tx_kind = choice(rng, m, [0.62, 0.08, 0.16, 0.08, 0.06])
    tx_day = rng.integers(start_day, end_day, m)
    major_cents = rng.integers(500, 30_000, m)  # 5.00 .. 300.00 in a "dollar-like" unit
    amount = np.choose(
        tx_cur,
        [
            major_cents * 10_000,
            major_cents * 10_000,
            round_to(major_cents * 3 // 2, 10) * MICRO,
            round_to(major_cents * 307 // 100, 5) * 1_000,
        ],
    )
    amount = np.maximum(amount, 1 * MICRO)
    order = np.lexsort((tx_acc, tx_day))
    tx_acc, tx_cur, tx_kind, tx_day, amount = (
        a[order] for a in (tx_acc, tx_cur, tx_kind, tx_day, amount)
    )
    has_request = (rng.random(m) < 0.01) & (tx_kind <= 1)
    tx_ids = ids("T", m)
    request = pl.select(pl.lit("PR-") + tx_ids.str.slice(1)).to_series()
    transactions = pl.DataFrame(
        {
            "transaction_id": tx_ids,
            "account_id": account_ids.gather(tx_acc),
            "kind": pick(TX_KINDS, tx_kind),
            "amount": amount.astype(np.int64),
            "currency": pick(CURRENCIES, tx_cur),
            "occurred_on": dates(tx_day),
            "payment_request_id": request.set(pl.Series(~has_request), None),
        }
    )
    return AccountData(
        accounts=accounts,
        payment_methods=payment_methods,
        transactions=transactions,
        account_currency=cur,
        pm_offset=group_offsets(pm_count),
        pm_count=pm_count,
        pm_ids=pm_ids,
    )
