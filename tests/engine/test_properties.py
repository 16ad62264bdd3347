"""Properties of the bill run over generated histories (DEVELOPERS.md principle 3):
re-running a date publishes nothing, running every day equals one catch-up run, a daily run
that computes only the subscriptions in its scope publishes what a full run would, and money
is conserved (credits never exceed what they credit; documents equal their lines)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import duckdb
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scenario import Scenario

from pipelines.bill_run import run_bill_run
from pipelines.warehouse import ensure_schema

START = dt.date(2026, 1, 5)  # a Monday
DAYS = 12

ACTIONS = st.sampled_from(["activate", "deactivate", "pause", "resume", "cancel", "change"])


@st.composite
def histories(draw, backdated: bool = False) -> Scenario:
    """A weekly pre- or post-bill subscription with two services (the first with a trial or a
    term that does not renew, sometimes) and up to 8 actions, each recorded on
    or before its effective date unless `backdated` (a backdated record is corrected by a later
    run, which a single catch-up run cannot reproduce by design: domain.md §3)."""
    model = draw(st.sampled_from(["pre", "post"]))
    s = Scenario()
    s.account()
    s.product("P1", tier_path="tv")
    s.product("P2", tier_path="tv")
    s.price_term("PT1", amount=draw(st.sampled_from(["7.00", "10.00", "9.99"])), cycle="week",
                 model=model, tax_rate="0.19", product_id="P1",
                 trial_days=draw(st.sampled_from([0, 0, 3])),
                 **draw(st.sampled_from([{}, {"termed_cycles": 1, "auto_renew": False}])))
    s.price_term("PT2", amount="13.13", cycle="week", model=model, tax_rate="0.19",
                 product_id="P2")
    s.subscription(cycle="week", model=model, billing_day=draw(st.integers(1, 7)),
                   bill_days_before=draw(st.sampled_from([0, 2])) if model == "pre" else 0)
    s.service("SV1")
    s.service("SV2")
    for service_id in ("SV1", "SV2"):
        s.action("activate", str(START + dt.timedelta(days=draw(st.integers(0, 4)))),
                 service_id=service_id, recorded_at=str(START))
    for _ in range(draw(st.integers(0, 6))):
        kind = draw(ACTIONS)
        effective = START + dt.timedelta(days=draw(st.integers(0, DAYS + 6)))
        recorded = START + dt.timedelta(days=draw(st.integers(0, DAYS)))
        if not backdated:
            recorded = min(effective, recorded)
        extra: dict = {}
        if kind == "pause":
            extra["days"] = draw(st.integers(1, 9))
        if kind == "change":
            extra = draw(st.sampled_from([
                {"new_quantity": 2},
                {"new_product_id": "P2", "new_price_term_id": "PT2"},
            ]))
        s.action(kind, str(effective), service_id=draw(st.sampled_from(["SV1", "SV2"])),
                 recorded_at=str(recorded), **extra)
    return s


def fresh(s: Scenario) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    ensure_schema(con)
    s.load(con)
    return con


def run_every_day(con: duckdb.DuckDBPyConnection) -> None:
    """The daily runs from START to START + DAYS, in order."""
    for offset in range(DAYS + 1):
        run_bill_run(con, START + dt.timedelta(days=offset))


def net_by_period(con) -> dict[tuple, Decimal]:
    rows = con.execute(
        """
        SELECT service_id, cycle_start, SUM(amount), SUM(tax) FROM (
            SELECT service_id, cycle_start, amount, tax_amount AS tax
            FROM published.invoice_lines
            UNION ALL
            SELECT service_id, cycle_start, -amount, -tax_amount FROM published.credit_note_lines
        ) GROUP BY ALL HAVING SUM(amount) <> 0 OR SUM(tax) <> 0
        """
    ).fetchall()
    return {(r[0], r[1]): (r[2], r[3]) for r in rows}


SETTINGS = settings(max_examples=8, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(histories())
def test_day_by_day_equals_catch_up_and_reruns_publish_nothing(s):
    daily = fresh(s)
    run_every_day(daily)
    again = run_bill_run(daily, START + dt.timedelta(days=DAYS))
    assert (again.invoices, again.credit_notes, again.payment_requests) == (0, 0, 0)

    once = fresh(s)
    run_bill_run(once, START + dt.timedelta(days=DAYS))
    assert net_by_period(daily) == net_by_period(once)


@SETTINGS
@given(histories(backdated=True))
def test_daily_runs_of_their_scope_leave_nothing_for_a_full_run(s):
    """Each daily run computes only the subscriptions whose inputs changed or whose next date
    came (int_run_scope); a full run that computes every subscription afterwards finds
    nothing left to publish, whatever was recorded late."""
    con = fresh(s)
    run_every_day(con)
    full = run_bill_run(con, START + dt.timedelta(days=DAYS), full=True)
    assert full.full_run
    assert (full.invoices, full.credit_notes, full.action_rejections) == (0, 0, 0)
    assert con.execute("SELECT count(*) FROM work.service_states").fetchall() == [(0,)]


@SETTINGS
@given(histories())
def test_money_is_conserved(s):
    con = fresh(s)
    for offset in range(0, DAYS + 1, 3):
        run_bill_run(con, START + dt.timedelta(days=offset))
    # every credit line credits at most what is left on the invoice line it names
    over_credited = con.execute(
        """
        SELECT COUNT(*) FROM published.invoice_lines AS l
        JOIN (SELECT credited_invoice_id, credited_line_no, SUM(amount) AS amount,
                     SUM(tax_amount) AS tax
              FROM published.credit_note_lines GROUP BY ALL) AS c
          ON c.credited_invoice_id = l.invoice_id AND c.credited_line_no = l.line_no
        WHERE c.amount > l.amount OR c.tax > l.tax_amount
        """
    ).fetchall()[0][0]
    assert over_credited == 0
    # documents total their lines, and the ledger totals equal the lines' totals
    docs = con.execute(
        "SELECT (SELECT COALESCE(SUM(total), 0) FROM published.invoices)"
        " - (SELECT COALESCE(SUM(total), 0) FROM published.credit_notes)"
    ).fetchall()[0][0]
    lines = sum(amount + tax for amount, tax in net_by_period(con).values())
    assert docs == lines
    # no charge key is ever net negative
    assert all(amount >= 0 for amount, _ in net_by_period(con).values())
