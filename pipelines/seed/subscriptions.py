"""Subscriptions (billing terms) and their services (ordered products)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from . import catalog as cat
from ._util import CURRENCIES, CYCLES, MODELS, choice, dates, group_offsets, ids, pick, rng_for
from .accounts import AccountData

NONE_CYCLE = len(CYCLES)  # code of billing_cycle "none" (one-time / no-billing groups)
SUB_CYCLES = (*CYCLES, "none")
METHODS = ("period", "anniversary")


@dataclass(frozen=True)
class SubscriptionData:
    subscriptions: pl.DataFrame
    services: pl.DataFrame
    sub_ids: pl.Series
    svc_ids: pl.Series
    sub_acc: np.ndarray
    sub_cyc: np.ndarray  # 0..4 = CYCLES, 5 = none
    sub_method: np.ndarray  # 0 period, 1 anniversary, -1 none
    sub_agreement: np.ndarray
    svc_offset: np.ndarray  # first service of each subscription
    svc_sub: np.ndarray
    svc_cur: np.ndarray
    svc_cyc: np.ndarray
    svc_model: np.ndarray
    svc_prod: np.ndarray
    svc_var: np.ndarray
    svc_qty: np.ndarray
    svc_ordered: np.ndarray


def build_subscriptions(
    seed: int, n: int, acc: AccountData, term_ids: pl.Series, start_day: int, end_day: int
) -> SubscriptionData:
    rng = rng_for(seed, 3)
    n_acc = len(acc.account_currency)
    # Every account has at least one subscription; the rest are spread at random.
    sub_acc = np.sort(np.concatenate([np.arange(n_acc), rng.integers(0, n_acc, n - n_acc)]))
    cur = acc.account_currency[sub_acc]
    cyc = choice(rng, n, [0.10, 0.60, 0.10, 0.08, 0.12, 0.004])
    model = np.where(rng.random(n) < 0.8, 0, 1)
    k = min(n, 2 * len(CYCLES))  # every cycle with both models, whatever the seed
    cyc[:k] = np.arange(k) % len(CYCLES)
    model[:k] = (np.arange(k) // len(CYCLES)) % 2
    none = cyc == NONE_CYCLE
    model[none] = 0
    method = np.where(none, -1, rng.integers(0, 2, n))

    # Billing day: 20 % derived (null); weekly 1-7; month-based with extra weight on the
    # first of the month and on 29-31 (clamped to short months by the engine).
    weekly = cyc == 0
    r = rng.random(n)
    month_day = np.where(
        r < 0.25,
        rng.integers(29, 32, n),
        np.where(r < 0.45, 1, rng.integers(1, 29, n)),
    )
    bday = np.where(weekly, rng.integers(1, 8, n), month_day)
    for pos, day in ((1, 31), (2, 29), (4, 30), (6, 31)):  # month, quarter, year, month
        if pos < n:
            bday[pos] = day
    bday_null = (rng.random(n) < 0.2) | none
    bday_null[[p for p in (1, 2, 4, 6) if p < n]] = False

    pre = model == 0
    before = np.where(pre & (rng.random(n) < 0.2), np.array([3, 5, 7])[rng.integers(0, 3, n)], 0)
    pm_count = acc.pm_count[sub_acc]
    has_pm = (rng.random(n) < 0.15) & (pm_count > 0)
    pm_pick = acc.pm_offset[sub_acc] + (rng.random(n) * pm_count).astype(np.int64)

    # Order date of the subscription: a fifth were ordered in the month before the window.
    early = rng.random(n) < 0.2
    sub_order = np.where(
        early, start_day - rng.integers(1, 31, n), rng.integers(start_day, end_day, n)
    )
    agreement = sub_order - np.where(rng.random(n) < 0.6, 0, rng.integers(1, 15, n))

    # --- services ------------------------------------------------------------------------
    counts = choice(rng, n, [0.4, 0.4, 0.2]) + 1
    svc_offset = group_offsets(counts)
    svc_sub = np.repeat(np.arange(n, dtype=np.int64), counts)
    m = len(svc_sub)
    slot = np.arange(m, dtype=np.int64) - svc_offset[svc_sub]
    ordered = sub_order[svc_sub]
    ordered_later = ordered + rng.integers(1, 46, m)
    later = (slot > 0) & (rng.random(m) < 0.3) & (ordered_later < end_day)
    ordered = np.where(later, ordered_later, ordered)

    s_cur, s_cyc, s_model = cur[svc_sub], cyc[svc_sub], model[svc_sub]
    prod = np.where(
        slot == 0,
        choice(rng, m, cat.FIRST_SERVICE_WEIGHTS),
        choice(rng, m, cat.OTHER_SERVICE_WEIGHTS),
    )
    s_none = s_cyc == NONE_CYCLE
    usage = ~s_none & (rng.random(m) < 0.002)
    prod = np.where(usage, np.array(cat.USAGE)[choice(rng, m, [0.6, 0.25, 0.15])], prod)
    other_kinds = np.array(cat.ONE_TIME + cat.NO_BILLING)
    other = other_kinds[choice(rng, m, [0.35, 0.25, 0.25, 0.15])]
    # beside the recurring services, now and then an installation or activation fee (one
    # time) or a support line or e-mail box (no billing): one further service in seven
    beside = ~s_none & ~usage & (slot > 0) & (rng.random(m) < 0.15)
    prod = np.where(s_none | beside, other, prod)
    recurring = prod < cat.N_RECURRING
    var = np.where(recurring & (rng.random(m) < 0.3), 1, 0)
    qty = choice(rng, m, [0.85, 0.08, 0.04, 0.02, 0.01]) + 1
    qty = np.where(recurring, qty, 1)
    term = np.where(
        recurring,
        cat.recurring_term_index(prod, s_cur, np.minimum(s_cyc, NONE_CYCLE - 1), s_model, var),
        cat.other_term_index(prod, s_cur, s_model),
    )

    sub_ids = ids("S", n)
    svc_ids = ids("SV", m)
    subscriptions = pl.DataFrame(
        {
            "subscription_id": sub_ids,
            "account_id": acc.accounts["account_id"].gather(sub_acc),
            "currency": pick(CURRENCIES, cur),
            "billing_cycle": pick(SUB_CYCLES, cyc),
            "billing_model": pick(MODELS, model),
            "billing_method": pick(METHODS, np.maximum(method, 0), none),
            "billing_day": pl.Series(bday).cast(pl.Int32).set(pl.Series(bday_null), None),
            "bill_days_before": pl.Series(before).cast(pl.Int32).set(pl.Series(none), None),
            "payment_method_id": acc.pm_ids.gather(
                pl.Series(np.where(has_pm, pm_pick, 0)).set(pl.Series(~has_pm), None)
            ),
            "agreement_date": dates(agreement),
            "concurrent_usage": pl.Series([None] * n, dtype=pl.Int32),
            "rate_percent": pl.Series([None] * n, dtype=pl.Int64),
        }
    )
    services = pl.DataFrame(
        {
            "service_id": svc_ids,
            "subscription_id": sub_ids.gather(svc_sub),
            "product_id": pick(cat.PRODUCT_IDS, prod),
            "price_term_id": term_ids.gather(term),
            "quantity": qty.astype(np.int32),
            "ordered_on": dates(ordered),
            "parent_service_id": pl.Series([None] * m, dtype=pl.String),
        }
    )
    return SubscriptionData(
        subscriptions=subscriptions,
        services=services,
        sub_ids=sub_ids,
        svc_ids=svc_ids,
        sub_acc=sub_acc,
        sub_cyc=cyc,
        sub_method=method,
        sub_agreement=agreement,
        svc_offset=svc_offset,
        svc_sub=svc_sub,
        svc_cur=s_cur,
        svc_cyc=s_cyc,
        svc_model=s_model,
        svc_prod=prod,
        svc_var=var,
        svc_qty=qty,
        svc_ordered=ordered,
    )
