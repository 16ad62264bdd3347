"""Subscription and service actions, and usage records.

Every service's history is sampled as a small state machine run over all services at once:
an activation, then up to three follow-up steps, each drawing an event allowed in the
service's state (changes, pauses with optional early resumes, cancellations, deactivations
followed by re-activations, and a few deferred-kind actions). A few percent of the steps are
deliberately invalid (a resume or an activate on an effective service) and a tenth of a
percent of activations predate `ordered_on`, so that the engine has rejections to publish.
A few subscriptions also get a subscription-level action (service_id null).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from . import catalog as cat
from ._util import MICRO, choice, dates, ids, pick, rng_for
from .accounts import AccountData
from .subscriptions import NONE_CYCLE, SubscriptionData

KINDS = (
    "activate", "deactivate", "pause", "resume", "cancel", "regret", "change", "renew",
    "set_auto_renew", "extend_term", "extend_trial", "grace_period", "bill_in_advance",
    "change_billing_day", "change_payment_method", "redeem_pass",
)  # fmt: skip
K = {name: i for i, name in enumerate(KINDS)}
STATUSES = ("executed", "scheduled", "cancelled", "rejected")

_REASONS: dict[str, tuple[str, ...]] = {
    "cancel": ("customer_request", "moving_away", "too_expensive", "switching_provider",
               "service_quality"),
    "deactivate": ("non_payment", "non_payment", "fraud_review"),
    "pause": ("vacation", "travel", "temporary_relocation", "seasonal"),
    "change": ("upsell", "customer_request", "retention_offer"),
    "regret": ("regret_within_14_days",),
    "activate": ("reactivation",),
}  # fmt: skip
REASONS: tuple[str, ...] = tuple(r for rs in _REASONS.values() for r in rs)
_REASON_OFFSET = {}
_pos = 0
for _kind, _rs in _REASONS.items():
    _REASON_OFFSET[_kind] = (_pos, len(_rs))
    _pos += len(_rs)

EFFECTIVE, NOT_EFFECTIVE, DONE = 1, 3, 4
COLUMNS = (
    "svc", "sub", "kind", "eff", "rec_off", "seq", "new_prod", "new_term", "new_qty", "days",
    "until", "cycles", "auto_renew", "billing_day", "pm", "promo", "reason",
)  # fmt: skip


@dataclass(frozen=True)
class ActionData:
    actions: pl.DataFrame
    usage: pl.DataFrame


class _Rows:
    """Column batches of action rows (int32); missing columns are -1 (null)."""

    def __init__(self) -> None:
        self.batches: list[tuple[int, dict[str, np.ndarray]]] = []

    def add(self, **cols: np.ndarray | int) -> None:
        n = len(cols["eff"])  # type: ignore[arg-type]
        if n:
            self.batches.append((n, {c: np.asarray(v, dtype=np.int32) for c, v in cols.items()}))

    def concat(self) -> dict[str, np.ndarray]:
        out = {}
        for c in COLUMNS:
            parts = []
            for n, b in self.batches:
                v = b.get(c)
                parts.append(np.full(n, -1, np.int32) if v is None else np.broadcast_to(v, (n,)))
            out[c] = np.concatenate(parts)
        return out


def _reason(rng: np.random.Generator, kind: str, n: int, fill: float = 1.0) -> np.ndarray:
    off, cnt = _REASON_OFFSET[kind]
    r = off + rng.integers(0, cnt, n)
    return np.where(rng.random(n) < fill, r, -1)


def _rec_offset(rng: np.random.Generator, n: int) -> np.ndarray:
    """Recording day minus effective day: same day, in advance, backdated, or late."""
    mode = choice(rng, n, [0.55, 0.25, 0.15, 0.05])
    return np.choose(
        mode,
        [
            np.zeros(n, np.int64),
            -rng.integers(1, 21, n),
            rng.integers(1, 8, n),
            rng.integers(8, 31, n),
        ],
    )


def build_actions(
    seed: int,
    subs: SubscriptionData,
    acc: AccountData,
    term_ids: pl.Series,
    start_day: int,
    end_day: int,
) -> ActionData:
    rng = rng_for(seed, 4)
    last_day = end_day - 1
    horizon = last_day + 60
    rows = _Rows()
    m = len(subs.svc_sub)
    o = subs.svc_ordered.astype(np.int64)
    recurring = subs.svc_prod < cat.N_RECURRING

    # --- first activation ------------------------------------------------------------------
    lag = np.choose(
        choice(rng, m, [0.6, 0.3, 0.1]),
        [np.zeros(m, np.int64), rng.integers(1, 8, m), rng.integers(8, 21, m)],
    )
    a = o + lag
    before_ordered = rng.random(m) < 0.001
    a = np.where(before_ordered, o - rng.integers(1, 6, m), a)
    activated = (rng.random(m) < 0.95) & (a <= horizon)
    mode = choice(rng, m, [0.62, 0.14, 0.16, 0.08])
    act_off = np.choose(
        mode,
        [np.zeros(m, np.int64), o - a, rng.integers(1, 6, m), rng.integers(6, 21, m)],
    )
    # Services running before the window were entered during its first two weeks.
    backlog = start_day + rng.integers(0, max(1, min(14, end_day - start_day)), m) - a
    act_off = np.where(a < start_day, backlog, act_off)
    i = np.flatnonzero(activated)
    rows.add(svc=i, kind=K["activate"], eff=a[i], rec_off=act_off[i], seq=0)

    # --- follow-up steps (on the services still live at each step) -------------------------
    steps = choice(rng, m, [0.40, 0.30, 0.18, 0.12])
    steps[~(activated & ~before_ordered & recurring)] = 0
    state = np.full(m, EFFECTIVE, dtype=np.int8)
    t = a.copy()
    last_t = np.where(activated, a, o)
    prod = subs.svc_prod.copy()
    var = subs.svc_var.copy()
    qty = subs.svc_qty.astype(np.int64).copy()
    cur, cyc, model = subs.svc_cur, np.minimum(subs.svc_cyc, NONE_CYCLE - 1), subs.svc_model

    def term_of(p: np.ndarray, v: np.ndarray, i: np.ndarray) -> np.ndarray:
        return cat.recurring_term_index(p, cur[i], cyc[i], model[i], v)

    for step in (1, 2, 3):
        idx = np.flatnonzero((steps >= step) & (state != DONE))
        tn = t[idx] + rng.integers(4, 50, len(idx))  # date of this step's event
        far = tn > horizon
        state[idx[far]] = DONE
        idx, tn = idx[~far], tn[~far]
        n = len(idx)
        seq = 2 * step
        st = state[idx]
        ev = choice(rng, n, [0.12, 0.07, 0.05, 0.14, 0.27, 0.13, 0.10, 0.06, 0.06])
        on = st == EFFECTIVE

        # product changes along the tier path (fall back to the other direction, then to
        # a quantity change for products without a path)
        p_now = prod[idx]
        up, down = cat.TIER_UP[p_now], cat.TIER_DOWN[p_now]
        target = np.where(ev == 0, np.where(up >= 0, up, down), np.where(down >= 0, down, up))
        sel = on & (ev <= 1) & (target >= 0)
        i = idx[sel]
        rows.add(
            svc=i,
            kind=K["change"],
            eff=tn[sel],
            rec_off=_rec_offset(rng, len(i)),
            seq=seq,
            new_prod=target[sel],
            new_term=term_of(target[sel], var[i], i),
            reason=_reason(rng, "change", len(i), 0.6),
        )
        prod[i] = target[sel]

        # price-term change on the same product (open-ended <-> 12-cycle contract)
        sel = on & (ev == 2)
        i = idx[sel]
        var[i] = 1 - var[i]
        rows.add(
            svc=i,
            kind=K["change"],
            eff=tn[sel],
            rec_off=_rec_offset(rng, len(i)),
            seq=seq,
            new_term=term_of(prod[i], var[i], i),
        )

        # quantity change
        sel = on & ((ev == 3) | ((ev <= 1) & (target < 0)))
        i = idx[sel]
        q = qty[i]
        new_q = np.clip(q + np.array([-1, 1, 2])[rng.integers(0, 3, len(i))], 1, 5)
        new_q = np.where(new_q == q, np.where(q < 5, q + 1, q - 1), new_q)
        qty[i] = new_q
        rows.add(
            svc=i,
            kind=K["change"],
            eff=tn[sel],
            rec_off=_rec_offset(rng, len(i)),
            seq=seq,
            new_qty=new_q,
        )

        # pause for 7-60 days, resumed early four times in ten
        sel = on & (ev == 4)
        i = idx[sel]
        n_days = rng.integers(7, 61, len(i))
        p_day = tn[sel]
        rows.add(
            svc=i,
            kind=K["pause"],
            eff=p_day,
            rec_off=_rec_offset(rng, len(i)),
            seq=seq,
            days=n_days,
            reason=_reason(rng, "pause", len(i), 0.7),
        )
        r_day = p_day + rng.integers(1, n_days)
        resumed = (rng.random(len(i)) < 0.4) & (r_day <= horizon)
        rows.add(
            svc=i[resumed],
            kind=K["resume"],
            eff=r_day[resumed],
            rec_off=_rec_offset(rng, int(resumed.sum())),
            seq=seq + 1,
        )
        tn[sel] = np.where(resumed, r_day, p_day + n_days)

        # cancel (final) and deactivate (may be re-activated later)
        for name, to_state, code in (("cancel", DONE, 5), ("deactivate", NOT_EFFECTIVE, 6)):
            sel = on & (ev == code)
            i = idx[sel]
            rows.add(
                svc=i,
                kind=K[name],
                eff=tn[sel],
                rec_off=_rec_offset(rng, len(i)),
                seq=seq,
                reason=_reason(rng, name, len(i), 0.8),
            )
            state[i] = to_state

        # deferred kinds: loaded but not applied by the engine
        sel = on & (ev == 7)
        i = idx[sel]
        k = len(i)
        sub_kind = choice(rng, k, [0.15, 0.10, 0.15, 0.10, 0.10, 0.25, 0.15])
        regret = sub_kind == 0
        if step > 1:
            sub_kind[regret] = 5  # regret only right after the first activation
            regret[:] = False
        kinds = np.array(
            [
                K["regret"],
                K["renew"],
                K["set_auto_renew"],
                K["extend_term"],
                K["extend_trial"],
                K["grace_period"],
                K["redeem_pass"],
            ]
        )[sub_kind]
        eff = np.where(regret, a[i] + rng.integers(1, 14, k), tn[sel])
        use_until = rng.random(k) < 0.5
        until = np.where(
            (kinds == K["extend_trial"]) & use_until,
            eff + 14,
            np.where((kinds == K["grace_period"]) & use_until, eff + rng.integers(1, 31, k), -1),
        )
        days = np.select(
            [
                kinds == K["extend_term"],
                (kinds == K["extend_trial"]) & ~use_until,
                (kinds == K["grace_period"]) & ~use_until,
            ],
            [np.array([30, 60, 90])[rng.integers(0, 3, k)], 7, rng.integers(1, 31, k)],
            -1,
        )
        promo = rng.integers(0, len(cat.PROMOTIONS), k)
        rows.add(
            svc=i,
            kind=kinds,
            eff=eff,
            rec_off=_rec_offset(rng, k),
            seq=seq,
            days=days,
            until=until,
            auto_renew=np.where(kinds == K["set_auto_renew"], rng.integers(0, 2, k), -1),
            promo=np.where(kinds == K["redeem_pass"], promo, -1),
            reason=np.where(regret, _reason(rng, "regret", k), -1),
        )
        tn[sel] = eff
        state[i[regret]] = DONE

        # deliberately invalid: resume or activate an effective service
        sel = on & (ev == 8)
        i = idx[sel]
        rows.add(
            svc=i,
            kind=np.where(rng.random(len(i)) < 0.5, K["resume"], K["activate"]),
            eff=tn[sel],
            rec_off=_rec_offset(rng, len(i)),
            seq=seq,
        )

        # a deactivated service is re-activated, cancelled, or left alone
        ne_ev = choice(rng, n, [0.6, 0.25, 0.15])
        off_state = st == NOT_EFFECTIVE
        for name, code, to_state, fill in (
            ("activate", 0, EFFECTIVE, 0.5),
            ("cancel", 1, DONE, 0.8),
        ):
            sel = off_state & (ne_ev == code)
            i = idx[sel]
            rows.add(
                svc=i,
                kind=K[name],
                eff=tn[sel],
                rec_off=_rec_offset(rng, len(i)),
                seq=seq,
                reason=_reason(rng, name, len(i), fill),
            )
            state[i] = to_state
        state[idx[off_state & (ne_ev == 2)]] = DONE

        t[idx] = tn
        last_t[idx] = np.maximum(last_t[idx], tn)

    # --- subscription-level actions ---------------------------------------------------------
    n_sub = len(subs.sub_cyc)
    big = np.iinfo(np.int64).max // 4
    first_act = np.minimum.reduceat(np.where(activated, a, big), subs.svc_offset)
    sub_last = np.maximum.reduceat(last_t, subs.svc_offset)
    chosen = (rng.random(n_sub) < 0.04) & (first_act < big) & (subs.sub_cyc != NONE_CYCLE)
    s = np.flatnonzero(chosen)
    n = len(s)
    sk = np.array(
        [K["pause"], K["cancel"], K["change_billing_day"], K["change_payment_method"],
         K["bill_in_advance"]]
    )[choice(rng, n, [0.35, 0.25, 0.10, 0.15, 0.15])]  # fmt: skip
    pm_count = acc.pm_count[subs.sub_acc[s]]
    sk = np.where((sk == K["change_billing_day"]) & (subs.sub_method[s] != 1), K["pause"], sk)
    sk = np.where((sk == K["change_payment_method"]) & (pm_count == 0), K["pause"], sk)
    eff = np.where(
        sk == K["cancel"],
        sub_last[s] + rng.integers(5, 41, n),
        first_act[s] + rng.integers(5, 81, n),
    )
    weekly = subs.sub_cyc[s] == 0
    in_advance = sk == K["bill_in_advance"]
    by_until = in_advance & (rng.random(n) < 0.2)
    keep = eff <= horizon
    sub_cols = {
        "sub": s,
        "kind": sk,
        "eff": eff,
        "rec_off": _rec_offset(rng, n),
        "seq": np.full(n, 1),
        "days": np.where(sk == K["pause"], rng.integers(7, 31, n), -1),
        "cycles": np.where(in_advance & ~by_until, rng.integers(1, 4, n), -1),
        "until": np.where(by_until, eff + 60, -1),
        "billing_day": np.where(
            sk == K["change_billing_day"],
            np.where(weekly, rng.integers(1, 8, n), rng.integers(1, 29, n)),
            -1,
        ),
        "pm": np.where(
            sk == K["change_payment_method"],
            acc.pm_offset[subs.sub_acc[s]] + (rng.random(n) * pm_count).astype(np.int64),
            -1,
        ),
        "reason": np.where(sk == K["cancel"], _reason(rng, "cancel", n, 0.8), -1),
    }
    rows.add(svc=np.full(n, -1)[keep], **{k: v[keep] for k, v in sub_cols.items()})

    # --- recording times and statuses -------------------------------------------------------
    r = rows.concat()
    n_act = len(r["eff"])
    svc_of = r["svc"].astype(np.int64)
    is_svc = svc_of >= 0
    sub_of = np.where(is_svc, subs.svc_sub[np.maximum(svc_of, 0)], r["sub"])
    eff = r["eff"].astype(np.int64)
    floor = np.maximum(
        start_day, np.where(is_svc, o[np.maximum(svc_of, 0)], subs.sub_agreement[sub_of])
    )
    rec_day = eff + r["rec_off"]
    # Actions due after the window were recorded during its last month, not all on its last day.
    rec_day = np.where(rec_day > last_day, last_day - rng.integers(0, 30, n_act), rec_day)
    rec_day = np.clip(rec_day, floor, last_day)
    rec_sec = rec_day * 86_400 + rng.integers(7 * 3600, 22 * 3600, n_act)
    status = np.where(eff > last_day, 1, 0)
    # Only the last action of a service (or subscription) recorded ahead of its date may be
    # withdrawn, so that a withdrawal never strands later actions. A service's rows were
    # generated in date order, so its last action is its last row.
    group = np.where(is_svc, svc_of, m + sub_of)
    last_row = np.full(m + n_sub, -1, dtype=np.int64)
    np.maximum.at(last_row, group, np.arange(n_act, dtype=np.int64))
    is_last = np.zeros(n_act, dtype=bool)
    is_last[last_row[last_row >= 0]] = True
    ahead = is_last & (rec_day < eff)
    u = rng.random(n_act)
    status = np.where(ahead & (u < 0.18), 2, np.where(ahead & (u < 0.26), 3, status))
    changed = status >= 2
    hi_sec = np.minimum(eff, end_day) * 86_400
    changed_sec = rec_sec + 1 + (rng.random(n_act) * (hi_sec - rec_sec - 1)).astype(np.int64)

    # Action ids follow the recording order (ties: generation order).
    raw = pl.DataFrame(
        {
            "rec_sec": rec_sec,
            "sub": sub_of.astype(np.int32),
            "status": status.astype(np.int8),
            "changed_sec": np.where(changed, changed_sec, -1),
            **{c: r[c] for c in COLUMNS if c not in ("sub", "rec_off", "seq")},
        }
    ).sort("rec_sec", maintain_order=True)

    def col(name: str) -> pl.Series:
        return raw[name]

    def opt_idx(name: str) -> pl.Series:
        """The column with -1 as null."""
        return raw.select(pl.when(pl.col(name) >= 0).then(pl.col(name))).to_series()

    actions = pl.DataFrame(
        {
            "action_id": ids("A", n_act),
            "subscription_id": subs.sub_ids.gather(col("sub")),
            "service_id": subs.svc_ids.gather(opt_idx("svc")),
            "action": pl.Series(KINDS).gather(col("kind")),
            "status": pl.Series(STATUSES).gather(col("status")),
            "status_changed_at": (opt_idx("changed_sec") * MICRO).cast(pl.Datetime("us")),
            "effective_on": col("eff").cast(pl.Date),
            "recorded_at": (col("rec_sec") * MICRO).cast(pl.Datetime("us")),
            "new_product_id": pl.Series(cat.PRODUCT_IDS).gather(opt_idx("new_prod")),
            "new_price_term_id": term_ids.gather(opt_idx("new_term")),
            "new_quantity": opt_idx("new_qty"),
            "days": opt_idx("days"),
            "until_date": opt_idx("until").cast(pl.Date),
            "cycles": opt_idx("cycles"),
            "auto_renew": opt_idx("auto_renew").cast(pl.Boolean),
            "billing_day": opt_idx("billing_day"),
            "payment_method_id": acc.pm_ids.gather(opt_idx("pm")),
            "promotion_id": pl.Series([p[0] for p in cat.PROMOTIONS]).gather(opt_idx("promo")),
            "reason": pl.Series(REASONS).gather(opt_idx("reason")),
        }
    )

    # --- usage of usage-kind services -------------------------------------------------------
    urng = rng_for(seed, 5)
    is_usage = np.isin(subs.svc_prod, cat.USAGE) & activated & (a <= last_day)
    cnt = np.where(is_usage, urng.integers(1, 6, m), 0)
    u_svc = np.repeat(np.arange(m, dtype=np.int64), cnt)
    nu = len(u_svc)
    first = np.maximum(a[u_svc], start_day)
    occurred = first + (urng.random(nu) * (last_day - first + 1)).astype(np.int64)
    u_prod = subs.svc_prod[u_svc]
    data_gb = cat.PRODUCT_IDS.index("DATA_GB")
    voice = cat.PRODUCT_IDS.index("VOICE_MIN")
    quantity = np.select(
        [u_prod == data_gb, u_prod == voice],
        [urng.integers(100, 8001, nu) * 1_000, urng.integers(1, 241, nu) * MICRO],
        urng.integers(1, 4, nu) * MICRO,
    )
    order = np.lexsort((u_svc, occurred))
    usage = pl.DataFrame(
        {
            "usage_id": ids("U", nu),
            "service_id": subs.svc_ids.gather(u_svc[order]),
            "usage_product_id": pick(cat.PRODUCT_IDS, u_prod[order]),
            "occurred_on": dates(occurred[order]),
            "quantity": quantity[order].astype(np.int64),
        }
    )
    return ActionData(actions=actions, usage=usage)
