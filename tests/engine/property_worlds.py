"""Random billing worlds for the hypothesis properties of tests/engine/test_properties.py.

A world is one account (a card, a credit limit, a few payments, sometimes a service limit)
and one subscription on any cycle, method and model, with one or two services, sometimes a
one-time or a no-billing service beside them (and sometimes a second subscription of the
account, billed on another day, with a service of the same product), trials, renewing and
expiring terms, contracts, price versions, the timing rules and a chronological run of
actions per service (bills in advance, billing-day changes and term actions among them),
over two or three of its periods.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from hypothesis import strategies as st
from scenario import Scenario

# ISO 4217 minor units, restated rather than read from the engine: the test's sums must not
# share the engine's table. EUR, JPY and KWD are the 2, 0 and 3 digit cases.
MINOR_UNITS = {"EUR": 2, "JPY": 0, "KWD": 3}

CYCLE_MONTHS = {"week": 0, "month": 1, "quarter": 3, "half_year": 6, "year": 12}
CYCLE_DAYS = {"week": 7, "month": 31, "quarter": 92, "half_year": 184, "year": 366}  # longest

# Every date of every history lies in here (a year cycle over three periods spans three years).
FIRST_DAY = dt.date(2025, 1, 1)
LAST_DAY = dt.date(2029, 12, 31)

# Prices that no period length divides evenly, per currency, next to random ones.
PRICES = {
    "EUR": ["10.00", "9.99", "7.77", "33.33"],
    "JPY": ["1000", "999", "1234"],
    "KWD": ["9.999", "12.345", "3.125"],
}
# The largest credit limit and payment, in minor units: a few periods' worth of charges.
MONEY_CAP = {"EUR": 30_000, "JPY": 30_000, "KWD": 300_000}

CLOCK = ["00:00:00", "10:00:00", "23:59:59"]  # both ends of the known-on-D cut-off

# The actions a service in each state can take (domain.md §5); now and then any action is
# drawn instead, so that rejections happen too. A termed service's expiry is not tracked
# here: renew, set_auto_renew and extend_term are drawn while it may or may not have expired.
NEXT_ACTIONS = {
    "effective": ["pause", "deactivate", "cancel", "change", "change", "regret", "extend_trial",
                  "grace_period", "bill_in_advance", "change_billing_day", "renew",
                  "set_auto_renew", "extend_term"],
    "paused": ["resume", "cancel", "change", "regret", "bill_in_advance", "set_auto_renew",
               "extend_term"],
    "not_effective": ["activate", "cancel", "change", "change_billing_day", "renew"],
    "cancelled": [],
    "regretted": [],
}
ANY_ACTION = ["activate", "deactivate", "pause", "resume", "cancel", "change", "regret",
              "extend_trial", "bill_in_advance", "change_billing_day", "renew",
              "set_auto_renew", "extend_term"]


def money(minor: int, currency: str) -> str:
    """`minor` minor units of `currency` as decimal text (KWD 1234 -> '1.234')."""
    return str(Decimal(minor).scaleb(-MINOR_UNITS[currency]))


def days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)


@dataclass
class World:
    subscription_id: str
    cycle: str
    start: dt.date
    end: dt.date
    services: list[str]
    # days worth running on: period starts and billing dates (as the test expects them),
    # action, record, trial, pause and term ends
    landmarks: list[dt.date]
    # the day before an action is recorded or withdrawn: a run then bills on what is about
    # to change, so that the next run must credit or correct it
    eves: list[dt.date]
    scenario: Scenario = field(repr=False, default_factory=Scenario)


def prices(currency: str) -> st.SearchStrategy[str]:
    """A fixed uneven price, a random one in minor units, or one finer than the minor unit."""
    m = MINOR_UNITS[currency]
    return st.one_of(
        st.sampled_from(PRICES[currency]),
        st.integers(10**m, 100 * 10**m).map(lambda minor: money(minor, currency)),
        st.integers(10**6, 100 * 10**6).map(lambda millionths: str(Decimal(millionths)
                                                                    / 10**6)),
    )


def recorded_on_time(effective: dt.date, cycle: str) -> st.SearchStrategy[str]:
    """A recorded_at on or before the effective date (what a catch-up run can reproduce):
    the day itself, a few days or up to a period ahead."""
    lead = st.one_of(st.just(0), st.integers(1, 3), st.integers(0, CYCLE_DAYS[cycle]))
    return st.tuples(lead, st.sampled_from(CLOCK)).map(
        lambda lead_clock: f"{effective - days(lead_clock[0])}T{lead_clock[1]}")


def recorded_late(effective: dt.date) -> st.SearchStrategy[str]:
    """A backdated record: entered up to six weeks after the day it takes effect."""
    return st.tuples(st.integers(1, 42), st.sampled_from(CLOCK)).map(
        lambda lag_clock: f"{effective + days(lag_clock[0])}T{lag_clock[1]}")


def month_boundary(month_index: int, day: int) -> dt.date:
    year, month = divmod(month_index, 12)
    return dt.date(year, month + 1, min(day, calendar.monthrange(year, month + 1)[1]))


def period_later(cycle: str, day: dt.date, n: int) -> dt.date:
    """`n` cycles after `day`, on that day of the month (clamped) or by whole weeks."""
    if cycle == "week":
        return day + days(7 * n)
    return month_boundary(day.year * 12 + day.month - 1 + n * CYCLE_MONTHS[cycle], day.day)


def boundaries(cycle: str, method: str, billing_day: int | None, first: dt.date,
               start: dt.date, end: dt.date) -> list[dt.date]:
    """The period starts from a period before `start` to one after `end`, placed as in
    domain.md §1 with F taken as `first`: only aims the run dates, asserts nothing."""
    lo, hi = start - days(CYCLE_DAYS[cycle]), end + days(CYCLE_DAYS[cycle])
    if cycle == "week":
        b = billing_day or (first.isoweekday() if method == "anniversary" else 1)
        day = lo + days((b - lo.isoweekday()) % 7)
        return [day + days(7 * k) for k in range((hi - day).days // 7 + 1)]
    c = CYCLE_MONTHS[cycle]
    b = billing_day or (first.day if method == "anniversary" else 1)
    m0 = first.year * 12 + first.month - 1 if method == "anniversary" else 0
    k_lo = (lo.year * 12 + lo.month - 1 - m0) // c - 1
    k_hi = (hi.year * 12 + hi.month - 1 - m0) // c + 1
    return [d for k in range(k_lo, k_hi + 1)
            if lo <= (d := month_boundary(m0 + k * c, b)) <= hi]


def span_days(cycle: str, periods: int) -> int:
    return CYCLE_DAYS[cycle] * periods


@st.composite
def worlds(draw, subscription_id: str, cycle: str, periods: int, end: dt.date,
           late: bool = False) -> World:
    """One account and subscription whose history ends on `end`. With `late`, an action may
    be recorded after its effective date, or withdrawn (status cancelled) after having been
    seen: what was known of a past day changes, which a single catch-up run cannot replay."""
    sid = subscription_id
    account_id, start = f"{sid}-ACC", end - days(span_days(cycle, periods))
    currency = draw(st.sampled_from(list(MINOR_UNITS)))
    model = draw(st.sampled_from(["pre", "post"]))
    method = draw(st.sampled_from(["period", "anniversary"]))
    if cycle == "week":
        billing_day = draw(st.one_of(st.none(), st.integers(1, 7)))
    else:  # the month ends are where clamping happens
        billing_day = draw(st.one_of(st.none(), st.integers(28, 31), st.integers(1, 31)))
    bill_days_before = draw(st.sampled_from([0, 0, 2, 5])) if model == "pre" else 0
    landmarks: list[dt.date] = []
    eves: list[dt.date] = []

    s = Scenario()
    cap = MONEY_CAP[currency]
    # now and then a service limit on the account's class: a later order may be refused
    service_limit = draw(st.sampled_from([None, None, None, 1, 2]))
    s.account(account_id, currency=currency,
              credit_limit=money(draw(st.one_of(st.just(0), st.integers(0, cap))), currency),
              classification="residential" if service_limit is not None else None)
    if service_limit is not None:
        s.rule("service_limit_residential", service_limit, valid_from=str(FIRST_DAY))
    s.payment_method(f"{account_id}-CARD", account_id=account_id, kind="card")
    for n in range(draw(st.integers(0, 3))):
        s.transaction(f"{sid}-T{n}", money(draw(st.integers(1, cap)), currency),
                      kind=draw(st.sampled_from(["payment", "refund", "adjustment"])),
                      account_id=account_id, currency=currency,
                      occurred_on=str(start + days(draw(st.integers(
                          0, span_days(cycle, periods))))))

    p1, p2, pt1, pt2 = f"{sid}-P1", f"{sid}-P2", f"{sid}-PT1", f"{sid}-PT2"
    s.product(p1, tier_path="tv")
    s.product(p2, tier_path="tv")
    fee = money(draw(st.integers(1, cap)), currency)
    terms = dict(
        trial_days=draw(st.sampled_from([0, 0, 3, 20])),
        **draw(st.sampled_from([{}, {}, {"termed_cycles": 1, "auto_renew": False},
                                {"termed_cycles": 2, "auto_renew": False},
                                {"termed_cycles": 1, "auto_renew": True}])),
        # a contract protects the price; a cancel inside it may cost a fee
        **draw(st.sampled_from([{}, {}, {"contract_cycles": 1},
                                {"contract_cycles": 2, "cancellation_fee": fee}])))
    common = dict(currency=currency, cycle=cycle, model=model)
    tax_rate = draw(st.sampled_from(["0", "0.19"]))
    s.price_term(pt1, amount=draw(prices(currency)), product_id=p1, tax_rate=tax_rate,
                 **terms, **common)
    if draw(st.booleans()):  # a new price inside the history: billed keys keep their terms
        valid_from = start + days(draw(st.integers(1, span_days(cycle, periods))))
        s.price_term(pt1, amount=draw(prices(currency)), product_id=p1, tax_rate=tax_rate,
                     valid_from=str(valid_from), **terms, **common)
        landmarks.append(valid_from)
    s.price_term(pt2, amount=draw(prices(currency)), product_id=p2,
                 tax_rate=draw(st.sampled_from(["0", "0.19"])), **common)
    s.subscription(sid, account_id=account_id, currency=currency, cycle=cycle, model=model,
                   method=method, billing_day=billing_day, bill_days_before=bill_days_before)
    # the timing rules, from the start or from a day inside the history (domain.md §5)
    for key, later in (("downgrade_timing", "end_of_period"),
                       ("cancel_out_of_contract", "end_of_period"),
                       ("cancel_in_contract", "end_of_contract")):
        value = draw(st.sampled_from([None, None, "immediate", later]))
        if value:
            valid_from = draw(st.sampled_from(
                [FIRST_DAY, start + days(draw(st.integers(1, span_days(cycle, periods))))]))
            s.rule(key, value, valid_from=str(valid_from))
            landmarks.append(valid_from)
    # the lifecycle rules, from the start (their defaults otherwise)
    for key, values in (("trial_extension_allowed", ["true", "false"]),
                        ("regret_days", ["3", "30"]),
                        ("trial_once_per", ["service", "contact"])):
        value = draw(st.sampled_from([None, *values]))
        if value:
            s.rule(key, value, valid_from=str(FIRST_DAY))

    services = [f"{sid}-SV{n}" for n in range(1, draw(st.integers(1, 2)) + 1)]
    catalogue = {service_id: draw(st.sampled_from([(p1, pt1), (p1, pt1), (p2, pt2)]))
                 for service_id in services}
    # now and then a one-time charge (an installation) or a no-billing service beside them:
    # no cycle on its price, billed once on activation or never (domain.md §6)
    other_kind = draw(st.sampled_from([None, None, "one_time", "no_billing"]))
    if other_kind:
        p3, pt3 = f"{sid}-P3", f"{sid}-PT3"
        s.product(p3, kind=other_kind)
        s.price_term(pt3, amount=draw(prices(currency)) if other_kind == "one_time" else "0",
                     product_id=p3, tax_rate=tax_rate, currency=currency, cycle=None,
                     model=model, trial_days=draw(st.sampled_from([0, 0, 3])))
        services.append(f"{sid}-SV3")
        catalogue[f"{sid}-SV3"] = (p3, pt3)
    seq = 0

    def act(kind: str, effective: dt.date, service_id: str | None, **extra) -> None:
        nonlocal seq
        seq += 1
        if late and draw(st.booleans()):
            recorded = draw(recorded_late(effective))
        else:
            recorded = draw(recorded_on_time(effective, cycle))
        if late and draw(st.integers(0, 4)) == 0:  # withdrawn after having been in force
            withdrawn = dt.datetime.fromisoformat(recorded) + days(draw(st.integers(0, 30)))
            extra |= {"status": "cancelled", "status_changed_at": withdrawn.isoformat()}
            landmarks.append(withdrawn.date())
            eves.append(withdrawn.date() - days(1))
        s.action(kind, str(effective), service_id=service_id, subscription_id=sid,
                 recorded_at=recorded, action_id=f"{sid}-A{seq:02d}", **extra)
        landmarks.extend([effective, dt.date.fromisoformat(recorded[:10])])
        eves.append(dt.date.fromisoformat(recorded[:10]) - days(1))

    changes = [{"new_quantity": 1}, {"new_quantity": 3},
               {"new_product_id": p2, "new_price_term_id": pt2},
               {"new_product_id": p1, "new_price_term_id": pt1},
               {"new_product_id": p2, "new_price_term_id": pt2, "new_quantity": 2}]
    first_activation = end
    new_days: list[int] = []  # billing days a change_billing_day moves to
    extensions, renewals = [], []  # days of each extend_term, dates of each renew
    for service_id in services:
        product, price_term = catalogue[service_id]
        # ordered and activated early in the history, so that two or three periods get billed
        day = start + days(draw(st.integers(0, CYCLE_DAYS[cycle] // 2)))
        s.service(service_id, subscription_id=sid, product_id=product, price_term_id=price_term,
                  quantity=draw(st.integers(1, 3)), ordered_on=str(day))
        if product in (p1, p2):  # a one-time or no-billing activation anchors nothing
            first_activation = min(first_activation, day)
        act("activate", day, service_id)
        state, paused_until = "effective", None
        # then a chronological run of actions, mostly ones its state allows
        for _ in range(draw(st.integers(0, 3))):
            day += days(draw(st.integers(1, CYCLE_DAYS[cycle])))
            if day > end:
                break
            if state == "paused" and day >= paused_until:
                state = "effective"
            allowed = NEXT_ACTIONS[state]
            if not allowed or draw(st.integers(0, 9)) == 0:
                allowed = ANY_ACTION
            kind = draw(st.sampled_from(allowed))
            extra: dict = {}
            if kind == "pause":  # beyond 90 days it is rejected (pause_max_days)
                extra["days"] = draw(st.one_of(st.integers(1, 30), st.integers(1, 100)))
                landmarks.append(day + days(extra["days"]))
            elif kind == "change":
                extra = dict(draw(st.sampled_from(changes)))
            elif kind == "grace_period":  # beyond 30 days it is rejected (grace_max_days)
                extra["days"] = draw(st.integers(1, 40))
            elif kind == "set_auto_renew":
                extra["auto_renew"] = draw(st.booleans())
            elif kind == "extend_term":  # the end it moves is a landmark the runs aim at
                extra["days"] = draw(st.integers(1, 40))
                extensions.append(extra["days"])
            elif kind == "renew":
                renewals.append(day)
            elif kind == "extend_trial":  # by days or to a date, maybe before the trial's end
                if draw(st.booleans()):
                    extra["days"] = draw(st.integers(1, 40))
                else:
                    extra["until_date"] = day + days(draw(st.integers(-5, 40)))
                    landmarks.append(extra["until_date"])
            elif kind == "bill_in_advance":  # by cycles or to a date, maybe covering none
                if draw(st.booleans()):
                    extra["cycles"] = draw(st.integers(1, 3))
                else:
                    extra["until_date"] = day + days(draw(st.integers(1, 3 * CYCLE_DAYS[cycle])))
            elif kind == "change_billing_day":  # the subscription's, mostly named by none
                new_day = draw(st.integers(1, 7) if cycle == "week" else st.one_of(
                    st.integers(28, 31), st.integers(1, 31)))
                if cycle == "week" and draw(st.integers(0, 9)) == 0:
                    new_day = 9  # not a weekday: rejected
                extra["billing_day"] = new_day
                new_days.append(new_day)
                if draw(st.integers(0, 3)) > 0:
                    act(kind, day, None, **extra)
                    continue
            act(kind, day, service_id, **extra)
            if kind in NEXT_ACTIONS[state]:
                state = {"activate": "effective", "resume": "effective",
                         "deactivate": "not_effective", "cancel": "cancelled",
                         "pause": "paused", "regret": "regretted"}.get(kind, state)
                paused_until = day + days(extra["days"]) if kind == "pause" else paused_until

    # now and then a second subscription of the account on P1, billed on its own day: the
    # account's trials (trial_once_per), service limit and subscriber state are judged over
    # both, while a run may find only one of them due
    if draw(st.integers(0, 3)) == 0:
        sibling, sibling_day = f"{sid}B", draw(st.integers(1, 7 if cycle == "week" else 28))
        s.subscription(sibling, account_id=account_id, currency=currency, cycle=cycle,
                       model=model, method="period", billing_day=sibling_day)
        service_id = f"{sibling}-SV1"
        day = start + days(draw(st.integers(0, CYCLE_DAYS[cycle])))
        s.service(service_id, subscription_id=sibling, product_id=p1, price_term_id=pt1,
                  ordered_on=str(day))
        for n, (kind, effective) in enumerate(
                [("activate", day)] + ([("cancel", day + days(draw(st.integers(
                    1, span_days(cycle, periods)))))] if draw(st.booleans()) else []), 1):
            recorded = draw(recorded_on_time(effective, cycle))
            s.action(kind, str(effective), service_id=service_id, subscription_id=sibling,
                     recorded_at=recorded, action_id=f"{sibling}-A{n:02d}")
            landmarks += [effective, dt.date.fromisoformat(recorded[:10])]
        services.append(service_id)
        landmarks += [day + days(terms["trial_days"])]
        landmarks += boundaries(cycle, "period", sibling_day, day, start, end)

    billable = first_activation + days(terms["trial_days"])  # F, roughly
    landmarks.append(billable)
    if "contract_cycles" in terms:
        landmarks.append(period_later(cycle, billable, terms["contract_cycles"]))
    if "termed_cycles" in terms:
        term_end = period_later(cycle, billable, terms["termed_cycles"])
        landmarks += [term_end] + [term_end + days(n) for n in extensions]
        landmarks += [period_later(cycle, day, terms["termed_cycles"]) for day in renewals]
    starts = boundaries(cycle, method, billing_day, billable, start, end)
    for new_day in new_days:
        if new_day <= 7 or cycle != "week":
            starts += boundaries(cycle, method, new_day, billable, start, end)
    landmarks += starts + [day - days(bill_days_before) for day in starts]
    return World(sid, cycle, start, end, services, sorted(set(landmarks)), sorted(set(eves)), s)


@st.composite
def cycles(draw) -> tuple[str, int]:
    """A cycle and how many of its periods the history spans."""
    return draw(st.sampled_from(list(CYCLE_MONTHS))), draw(st.integers(2, 3))


@st.composite
def histories(draw, late: bool) -> World:
    """One world on a random cycle, ending on a random date of the window: with `late`, some
    actions are recorded after their effective date or withdrawn after having been seen."""
    cycle, periods = draw(cycles())
    span = span_days(cycle, periods)
    end = FIRST_DAY + days(draw(st.integers(span, (LAST_DAY - FIRST_DAY).days - 60)))
    return draw(worlds("S1", cycle, periods, end, late=late))


@st.composite
def run_dates(draw, ws: tuple[World, ...], count: tuple[int, int]) -> list[dt.date]:
    """An increasing sequence of run dates, repeats allowed. The last is at the common end
    or on a landmark of the last period, since its scope is what the full run checks; the
    others on the eve of a record, anywhere in the histories, on a landmark or a day either
    side of it (where what is known or due changes), or the day before the last (as daily
    runs would be, so that a wake date one day late shows)."""
    end = max(w.end for w in ws)
    closing = [d + days(shift) for w in ws for d in w.landmarks for shift in (-1, 0, 1)
               if end - days(CYCLE_DAYS[w.cycle]) <= d <= LAST_DAY]
    last = draw(st.one_of(st.integers(0, 10).map(lambda n: end + days(n)),
                          st.sampled_from(closing) if closing else st.nothing()))
    earliest = min(w.start for w in ws)
    landmarks = [d for w in ws for d in w.landmarks if earliest <= d <= last]
    eves = [d for w in ws for d in w.eves if earliest <= d <= last]
    eve = st.sampled_from(eves) if eves else st.nothing()
    near = st.tuples(st.sampled_from(landmarks or [last]), st.integers(-1, 1)).map(
        lambda day_shift: day_shift[0] + days(day_shift[1]))
    anywhere = st.integers(0, (last - earliest).days).map(lambda n: earliest + days(n))
    before_last = st.integers(0, 1).map(lambda n: last - days(n))
    others = st.lists(st.one_of(eve, near, anywhere, before_last),
                      min_size=count[0] - 1, max_size=count[1] - 1)
    return sorted([max(earliest, min(last, day)) for day in draw(others)] + [last])


@dataclass
class Case:
    """A world and the dates to run it on; printed as the rows a failing example loads."""
    world: World
    dates: list[dt.date]

    def scenario(self) -> Scenario:
        return self.world.scenario

    def _repr_pretty_(self, printer, cycle: bool) -> None:  # hypothesis' pretty printer
        printer.text(repr(self))

    def __repr__(self) -> str:
        out = [f"run dates {[str(d) for d in self.dates]}"]
        for table, rows in self.scenario().tables.items():
            for row in rows:
                shown = ", ".join(f"{k}={v}" for k, v in row.items()
                                  if v is not None and k not in ("name", "token"))
                out.append(f"  {table}: {shown}")
        return "\n".join(out)


@st.composite
def cases(draw, late: bool, count: tuple[int, int] = (2, 3)) -> Case:
    """A world (with records late or withdrawn when `late`) and `count` run dates."""
    world = draw(histories(late))
    return Case(world, draw(run_dates((world,), count)))
