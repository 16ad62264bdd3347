"""The product catalogue: products, price terms (with versions), allowances, bundles,
promotions, business rules and currencies.

The catalogue is small and fixed; only which price terms get a second, dearer version (and
from when) depends on the seed. Price terms of recurring products (termed and device) form a
full grid product x currency x cycle x model x variant, so that any service finds a matching
term and a change to another product of the same tier path always has a target; the grid
position of a term is computed arithmetically (`recurring_term_index`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import polars as pl

from ._util import CURRENCIES, CYCLES, MICRO, MODELS, dates, day_number, pick, rng_for, round_to

# (product_id, name, kind, tier_path, monthly price in US cents, trial days, digital)
# Recurring products (termed, device) come first: their position is their grid index.
PRODUCTS: tuple[tuple[str, str, str, str | None, int, int, bool], ...] = (
    ("TV_BASIC", "TV Basic", "termed", "tv", 1999, 0, False),
    ("TV_PLUS", "TV Plus", "termed", "tv", 2999, 0, False),
    ("TV_PREMIUM", "TV Premium", "termed", "tv", 4999, 7, False),
    ("NET_50M", "Internet 50 Mbit/s", "termed", "internet", 2999, 0, False),
    ("NET_200M", "Internet 200 Mbit/s", "termed", "internet", 4499, 0, False),
    ("NET_1G", "Internet 1 Gbit/s", "termed", "internet", 6999, 0, False),
    ("MOBILE_S", "Mobile S", "termed", "mobile", 1499, 0, False),
    ("MOBILE_M", "Mobile M", "termed", "mobile", 2499, 0, False),
    ("MOBILE_L", "Mobile L", "termed", "mobile", 3999, 0, False),
    ("MUSIC_STD", "Music Standard", "termed", "music", 999, 30, True),
    ("MUSIC_FAMILY", "Music Family", "termed", "music", 1599, 30, True),
    ("CLOUD_100G", "Cloud Storage 100 GB", "termed", "cloud", 299, 14, True),
    ("CLOUD_1T", "Cloud Storage 1 TB", "termed", "cloud", 999, 14, True),
    ("SECURITY", "Security Suite", "termed", None, 599, 0, True),
    ("ROUTER_STD", "Router rental", "device", "router", 399, 0, False),
    ("ROUTER_WIFI6", "Wi-Fi 6 router rental", "device", "router", 699, 0, False),
    ("STB_HD", "HD set-top box rental", "device", "stb", 499, 0, False),
    ("STB_4K", "4K set-top box rental", "device", "stb", 799, 0, False),
    ("INSTALL", "Installation", "one_time", None, 4900, 0, False),
    ("ACTIVATION_FEE", "Activation fee", "one_time", None, 1500, 0, False),
    ("PPV_MOVIE", "Pay-per-view movie", "usage", None, 499, 0, True),
    ("DATA_GB", "Mobile data per GB", "usage", None, 200, 0, False),
    ("VOICE_MIN", "Voice minute", "usage", None, 5, 0, False),
    ("SUPPORT_BASIC", "Basic support", "no_billing", None, 0, 0, False),
    ("EMAIL_BOX", "E-mail box", "no_billing", None, 0, 0, False),
    ("HOME_BUNDLE", "Home bundle (TV + Internet + router)", "bundle", None, 0, 0, False),
)
N_PRODUCTS = len(PRODUCTS)
PRODUCT_IDS = tuple(p[0] for p in PRODUCTS)
PRODUCT_KINDS = np.array([p[2] for p in PRODUCTS])
RECURRING = tuple(i for i, p in enumerate(PRODUCTS) if p[2] in ("termed", "device"))
N_RECURRING = len(RECURRING)
assert all(i == p for i, p in enumerate(RECURRING)), "recurring products must come first"
# Non-recurring products with a price term (one_time, usage, no_billing), in catalogue order.
_OTHER_KINDS = ("one_time", "usage", "no_billing")
PRICED_OTHER = tuple(i for i, p in enumerate(PRODUCTS) if p[2] in _OTHER_KINDS)
ONE_TIME = tuple(i for i in PRICED_OTHER if PRODUCTS[i][2] == "one_time")
USAGE = tuple(i for i in PRICED_OTHER if PRODUCTS[i][2] == "usage")
NO_BILLING = tuple(i for i in PRICED_OTHER if PRODUCTS[i][2] == "no_billing")

VARIANTS = ("", "-K12")  # open-ended term, 12-cycle contract term (10 % cheaper)
_CYCLE_CODE = ("W", "M", "Q", "H", "Y")
_MODEL_CODE = ("PRE", "POST")
N_REC_TERMS = N_RECURRING * len(CURRENCIES) * len(CYCLES) * len(MODELS) * len(VARIANTS)


def _tier_neighbours() -> tuple[np.ndarray, np.ndarray]:
    """Product index one tier up / down on the same path (-1 when none)."""
    up = np.full(N_PRODUCTS, -1, dtype=np.int64)
    down = np.full(N_PRODUCTS, -1, dtype=np.int64)
    for i, p in enumerate(PRODUCTS):
        same = [j for j, q in enumerate(PRODUCTS) if p[3] is not None and q[3] == p[3]]
        pos = same.index(i) if same else -1
        if pos >= 0 and pos + 1 < len(same):
            up[i] = same[pos + 1]
        if pos > 0:
            down[i] = same[pos - 1]
    return up, down


TIER_UP, TIER_DOWN = _tier_neighbours()

# Weights for the product of a subscription's first service and of its further services
# (over the recurring products, in catalogue order).
FIRST_SERVICE_WEIGHTS = np.array(
    [15, 9, 6, 12, 16, 7, 10, 10, 5, 2, 1, 1, 1, 2, 0, 0, 0, 0], dtype=np.float64
)
OTHER_SERVICE_WEIGHTS = np.array(
    [5, 4, 3, 3, 4, 2, 8, 7, 4, 4, 3, 3, 3, 4, 16, 8, 9, 6], dtype=np.float64
)
assert len(FIRST_SERVICE_WEIGHTS) == len(OTHER_SERVICE_WEIGHTS) == N_RECURRING

PROMOTIONS = (
    # promotion_id, kind, value (micro units), cycles, product_id, auto_apply
    ("PROMO01", "percent", 10 * MICRO, 3, "TV_PREMIUM", False),
    ("PROMO02", "percent", 25 * MICRO, 1, None, False),
    ("PROMO03", "amount", 5 * MICRO, 6, "NET_1G", False),
    ("PROMO04", "percent", 50 * MICRO, 2, "MUSIC_FAMILY", False),
    ("PROMO05", "percent", 100 * MICRO, 1, "CLOUD_1T", False),
)


def recurring_term_index(prod, cur, cyc, model, variant):
    """Grid position of the recurring price term (works on numpy arrays)."""
    return (((prod * len(CURRENCIES) + cur) * len(CYCLES) + cyc) * len(MODELS) + model) * len(
        VARIANTS
    ) + variant


def other_term_index(prod, cur, model):
    """Position of a one-time / usage / no-billing term, after the recurring grid."""
    other_pos = np.searchsorted(np.array(PRICED_OTHER), prod)
    return N_REC_TERMS + (other_pos * len(CURRENCIES) + cur) * len(MODELS) + model


# Per currency: micro units of one minor unit, of one step for weekly prices (mills for
# USD/EUR), and the tax rate (micro) for standard and digital products.
_MINOR_STEP = np.array([10_000, 10_000, MICRO, 1_000], dtype=np.int64)
_WEEK_STEP = np.array([1_000, 1_000, MICRO, 1_000], dtype=np.int64)
_TAX = np.array([[80_000, 80_000], [190_000, 200_000], [100_000, 100_000], [0, 0]], np.int64)
# week: 12/52 of a month; quarter, half-year, year: 3, 6, 12 months less 3 %, 5 %, 10 %.
_CYCLE_NUM = np.array([12, 1, 3 * 97, 6 * 95, 12 * 90], dtype=np.int64)
_CYCLE_DEN = np.array([52, 1, 100, 100, 100], dtype=np.int64)


def monthly_micro(usd_cents: np.ndarray, cur: np.ndarray) -> np.ndarray:
    """A US-cent list price converted to a plausible price in each currency (micro units)."""
    c = usd_cents.astype(np.int64)
    usd = c * 10_000
    eur = ((c * 92 + 50) // 100) * 10_000
    yen = (c * 3 + 1) // 2
    yen = np.where(yen >= 1000, round_to(yen, 10) - 20, yen)
    jpy = np.maximum(yen, np.where(c > 0, 1, 0)) * MICRO
    fils = (c * 307 + 50) // 100
    kwd = np.where(fils >= 100, round_to(fils, 5), fils) * 1_000
    return np.choose(cur, [usd, eur, jpy, kwd])


@dataclass(frozen=True)
class Catalog:
    products: pl.DataFrame
    price_terms: pl.DataFrame
    allowances: pl.DataFrame
    bundle_components: pl.DataFrame
    promotions: pl.DataFrame
    business_rules: pl.DataFrame
    currencies: pl.DataFrame
    term_ids: pl.Series  # distinct price_term_id by term index


def build_catalog(seed: int, start: date, days: int) -> Catalog:
    rng = rng_for(seed, 1)
    products = pl.DataFrame(
        {
            "product_id": [p[0] for p in PRODUCTS],
            "name": [p[1] for p in PRODUCTS],
            "kind": [p[2] for p in PRODUCTS],
            "tier_path": [p[3] for p in PRODUCTS],
            "bundle_kind": [("fixed" if p[2] == "bundle" else None) for p in PRODUCTS],
        },
        schema_overrides={"tier_path": pl.String, "bundle_kind": pl.String},
    )

    # --- recurring grid --------------------------------------------------------------
    prod, cur, cyc, model, var = (
        a.ravel().astype(np.int64)
        for a in np.indices((N_RECURRING, len(CURRENCIES), len(CYCLES), len(MODELS), len(VARIANTS)))
    )
    base = np.array([PRODUCTS[p][4] for p in range(N_RECURRING)], dtype=np.int64)[prod]
    month = monthly_micro(base, cur)
    step = np.where(cyc == 0, _WEEK_STEP[cur], _MINOR_STEP[cur])
    den = _CYCLE_DEN[cyc]
    num = _CYCLE_NUM[cyc]
    std_amount = round_to((month * num * 2 + den) // (2 * den), step)
    amount = np.where(var == 1, round_to(std_amount * 9 // 10, step), std_amount)
    trial = np.array([PRODUCTS[p][5] for p in range(N_RECURRING)], dtype=np.int64)[prod]
    trial = np.where(var == 1, 0, trial)
    path = np.array([PRODUCTS[p][3] or "" for p in range(N_RECURRING)])[prod]
    digital = np.array([PRODUCTS[p][6] for p in range(N_RECURRING)], dtype=np.int64)[prod]
    is_mobile = path == "mobile"
    termed_null = ~((var == 1) & is_mobile)
    # Mobile S on a 12-cycle term expires at its end instead of renewing.
    auto_renew = ~((var == 1) & (prod == PRODUCT_IDS.index("MOBILE_S")))
    contract_null = var == 0
    fee = np.where(var == 1, round_to(month * 2, _MINOR_STEP[cur]), 0)
    term_id_rec = (
        "PT-"
        + np.array(PRODUCT_IDS)[prod].astype(object)
        + "-"
        + np.array(CURRENCIES)[cur].astype(object)
        + "-"
        + np.array(_CYCLE_CODE)[cyc].astype(object)
        + "-"
        + np.array(_MODEL_CODE)[model].astype(object)
        + np.array(VARIANTS)[var].astype(object)
    )

    # --- one-time, usage and no-billing terms (no cycle) --------------------------------
    oprod, ocur, omodel = (
        a.ravel().astype(np.int64)
        for a in np.indices((len(PRICED_OTHER), len(CURRENCIES), len(MODELS)))
    )
    oprod = np.array(PRICED_OTHER, dtype=np.int64)[oprod]
    obase = np.array([p[4] for p in PRODUCTS], dtype=np.int64)[oprod]
    oamount = monthly_micro(obase, ocur)
    term_id_other = (
        "PT-"
        + np.array(PRODUCT_IDS)[oprod].astype(object)
        + "-"
        + np.array(CURRENCIES)[ocur].astype(object)
        + "-"
        + np.array(_MODEL_CODE)[omodel].astype(object)
    )
    n_rec, n_oth = len(prod), len(oprod)
    all_prod = np.concatenate([prod, oprod])
    all_cur = np.concatenate([cur, ocur])
    all_model = np.concatenate([model, omodel])
    all_digital = np.concatenate(
        [digital, np.array([p[6] for p in PRODUCTS], dtype=np.int64)[oprod]]
    )
    term_ids = pl.Series("price_term_id", np.concatenate([term_id_rec, term_id_other]).astype(str))
    n_terms = n_rec + n_oth
    base_terms = pl.DataFrame(
        {
            "price_term_id": term_ids,
            "product_id": pick(PRODUCT_IDS, all_prod),
            "currency": pick(CURRENCIES, all_cur),
            "billing_cycle": pick(
                CYCLES,
                np.concatenate([cyc, np.zeros(n_oth, np.int64)]),
                np.concatenate([np.zeros(n_rec, bool), np.ones(n_oth, bool)]),
            ),
            "billing_model": pick(MODELS, all_model),
            "trial_days": np.concatenate([trial, np.zeros(n_oth, np.int64)]).astype(np.int32),
            "termed_cycles": pl.Series(
                np.concatenate([np.where(termed_null, 0, 12), np.zeros(n_oth, np.int64)])
            )
            .cast(pl.Int32)
            .replace(0, None),
            "auto_renew": np.concatenate([auto_renew, np.zeros(n_oth, bool)]),
            "contract_cycles": pl.Series(
                np.concatenate([np.where(contract_null, 0, 12), np.zeros(n_oth, np.int64)])
            )
            .cast(pl.Int32)
            .replace(0, None),
            "cancellation_fee": np.concatenate([fee, np.zeros(n_oth, np.int64)]),
            "tax_rate": _TAX[all_cur, all_digital],
            "concurrent_usage": np.zeros(n_terms, dtype=bool),
        }
    )
    first_amount = np.concatenate([amount, oamount])
    cyc_all = np.concatenate([cyc, np.full(n_oth, 1, np.int64)])
    step_all = np.where(cyc_all == 0, _WEEK_STEP[all_cur], _MINOR_STEP[all_cur])

    # --- versions: a quarter of the recurring terms get dearer inside the window --------
    v1_from = day_number(date(start.year - 5, 1, 1))
    repriced = np.zeros(n_terms, dtype=bool)
    repriced[:n_rec] = rng.random(n_rec) < 0.25
    lo, hi = days // 4, max(days // 4 + 1, (3 * days) // 4)
    v2_from = day_number(start) + rng.integers(lo, hi, n_terms)
    v2_amount = round_to(first_amount * (100 + rng.integers(3, 11, n_terms)) // 100, step_all)
    v2_amount = np.maximum(v2_amount, first_amount + step_all)
    v1 = base_terms.with_columns(
        valid_from=dates(np.full(n_terms, v1_from)), amount=pl.Series(first_amount)
    )
    v2 = base_terms.with_columns(valid_from=dates(v2_from), amount=pl.Series(v2_amount)).filter(
        pl.Series(repriced)
    )
    price_terms = pl.concat([v1, v2]).sort("price_term_id", "valid_from")

    # --- allowances: mobile data included per cycle ------------------------------------
    gb_month = {"MOBILE_S": 5, "MOBILE_M": 20, "MOBILE_L": 50}
    mob = np.isin(prod, [PRODUCT_IDS.index(p) for p in gb_month])
    gb = np.array([gb_month.get(p, 0) for p in PRODUCT_IDS[:N_RECURRING]], np.int64)[prod]
    per_cycle_quarter_gb = np.array([1, 4, 12, 24, 48], dtype=np.int64)[cyc]  # in GB/4
    allowances = pl.DataFrame(
        {
            "price_term_id": pl.Series(term_id_rec.astype(str)).filter(pl.Series(mob)),
            "usage_product_id": pl.Series(["DATA_GB"] * int(mob.sum()), dtype=pl.String),
            "units_per_cycle": (gb * per_cycle_quarter_gb * MICRO // 4)[mob],
        }
    )

    bundle_components = pl.DataFrame(
        {
            "bundle_product_id": ["HOME_BUNDLE"] * 3,
            "component_product_id": ["TV_BASIC", "NET_200M", "ROUTER_STD"],
            "mandatory": [True, True, True],
            "extra_amount": pl.Series([None, None, None], dtype=pl.Int64),
        }
    )
    promotions = pl.DataFrame(
        {
            "promotion_id": [p[0] for p in PROMOTIONS],
            "kind": [p[1] for p in PROMOTIONS],
            "value": pl.Series([p[2] for p in PROMOTIONS], dtype=pl.Int64),
            "cycles": pl.Series([p[3] for p in PROMOTIONS], dtype=pl.Int32),
            "product_id": pl.Series([p[4] for p in PROMOTIONS], dtype=pl.String),
            "auto_apply": [p[5] for p in PROMOTIONS],
        }
    )
    always = date(2000, 1, 1)
    mid = start + timedelta(days=days // 2)
    rules = [
        ("default_billing_day", "1", always),
        ("default_billing_weekday", "1", always),
        ("pause_max_days", "90", always),
        ("pause_max_times_per_year", "2", always),
        ("downgrade_timing", "immediate", always),
        ("downgrade_timing", "end_of_period", mid),
        ("cancel_out_of_contract", "immediate", always),
        ("cancel_out_of_contract", "end_of_period", mid),
        ("payment_terms_days", "14", always),
        ("payment_terms_days", "30", mid),
        ("regret_days", "14", always),
        ("trial_once_per", "service", always),
        ("trial_extension_allowed", "true", always),
        ("grace_min_days", "1", always),
        ("grace_max_days", "30", always),
        ("cancel_in_contract", "immediate", always),
        ("cancel_in_contract", "end_of_contract", mid),
        # about one retail account in a hundred has more services than this
        ("service_limit_retail", "8", always),
    ]
    business_rules = pl.DataFrame(
        {
            "key": [r[0] for r in rules],
            "value": [r[1] for r in rules],
            "valid_from": pl.Series([r[2] for r in rules], dtype=pl.Date),
        }
    )
    currencies = pl.DataFrame(
        {"currency": list(CURRENCIES), "minor_units": pl.Series([2, 2, 0, 3], dtype=pl.Int32)}
    )
    return Catalog(
        products=products,
        price_terms=price_terms,
        allowances=allowances,
        bundle_components=bundle_components,
        promotions=promotions,
        business_rules=business_rules,
        currencies=currencies,
        term_ids=term_ids,
    )
