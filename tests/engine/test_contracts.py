"""Contract periods (domain.md §5-§6): `contract_cycles` from the first billable day; inside
it the price is protected (the version valid at the contract's start), a cancel charges
`cancellation_fee` once and follows `cancel_in_contract`; outside it, the normal version rule
and `cancel_out_of_contract`. 30.00 a month, billing day 1, pre-bill, a 3-cycle contract from
an activation on Jan 1 (Jan 1 .. Apr 1)."""

from __future__ import annotations

from decimal import Decimal

from scenario import Scenario, credit_lines, invoice_lines, rejections, run

D = Decimal


def contract(fee: str = "0", **price) -> Scenario:
    s = Scenario().simple(amount="30.00", contract_cycles=3, cancellation_fee=fee, **price)
    s.action("activate", "2026-01-01")
    return s


def test_a_price_version_inside_the_contract_waits_for_its_end(con):
    # a new version of 36.00 from Feb 1: Feb and Mar stay at 30.00 (the version valid on Jan 1);
    # April, the first period after the contract, is billed at 36.00
    s = contract()
    s.price_term(amount="36.00", valid_from="2026-02-01", contract_cycles=3)
    s.load(con)
    for day in ("2026-01-01", "2026-02-01", "2026-03-01", "2026-04-01"):
        run(con, day)
    assert [(r[1], r[2], r[6]) for r in invoice_lines(con)] == [
        ("recurring", "2026-01-01", D("30.00")),
        ("recurring", "2026-02-01", D("30.00")),
        ("recurring", "2026-03-01", D("30.00")),
        ("recurring", "2026-04-01", D("36.00")),
    ]


def test_without_a_contract_a_new_version_applies_from_its_date(con):
    s = Scenario().simple(amount="30.00")
    s.price_term(amount="36.00", valid_from="2026-02-01")
    s.action("activate", "2026-01-01")
    s.load(con)
    run(con, "2026-01-01")
    run(con, "2026-02-01")
    assert [r[6] for r in invoice_lines(con)] == [D("30.00"), D("36.00")]


def test_a_trial_starts_the_contract_at_its_end(con):
    # 14-day trial: the contract runs Jan 15 .. Apr 15, so the period starting Apr 1 is still
    # protected (it starts inside it) and May's is not: 30.00, 30.00, 30.00 (Apr), 36.00 (May)
    s = contract(trial_days=14)
    s.price_term(amount="36.00", valid_from="2026-02-01", contract_cycles=3, trial_days=14)
    s.load(con)
    for day in ("2026-01-15", "2026-02-01", "2026-03-01", "2026-04-01", "2026-05-01"):
        run(con, day)
    assert [(r[1], r[2], r[6]) for r in invoice_lines(con)] == [
        ("proration", "2026-01-15", D("16.45")),  # 17/31 x 30.00 = 16.4516
        ("recurring", "2026-02-01", D("30.00")),
        ("recurring", "2026-03-01", D("30.00")),
        ("recurring", "2026-04-01", D("30.00")),
        ("recurring", "2026-05-01", D("36.00")),
    ]


def test_end_of_contract_cancels_the_service_at_the_contracts_end(con):
    # cancel on Feb 10 under end_of_contract: the service stays billed to Apr 1 and is
    # cancelled from then; nothing is credited
    s = contract()
    s.rule("cancel_in_contract", "end_of_contract")
    s.action("cancel", "2026-02-10")
    s.load(con)
    for day in ("2026-01-01", "2026-02-01", "2026-02-10", "2026-03-01", "2026-04-01"):
        run(con, day)
    assert [(r[1], r[2], r[6]) for r in invoice_lines(con)] == [
        ("recurring", "2026-01-01", D("30.00")),
        ("recurring", "2026-02-01", D("30.00")),
        ("recurring", "2026-03-01", D("30.00")),
    ]
    assert credit_lines(con) == []
    assert rejections(con) == []
    assert con.execute(
        "SELECT state, since::VARCHAR FROM published.service_states "
        "ORDER BY as_of DESC LIMIT 1").fetchall() == [("cancelled", "2026-04-01")]


def test_outside_the_contract_cancel_out_of_contract_applies(con):
    # the same rule set, a cancel on Apr 10 (after the contract) under
    # cancel_out_of_contract = end_of_period: cancelled from May 1, April stays billed
    s = contract()
    s.rule("cancel_in_contract", "end_of_contract")
    s.rule("cancel_out_of_contract", "end_of_period")
    s.action("cancel", "2026-04-10")
    s.load(con)
    for day in ("2026-01-01", "2026-02-01", "2026-03-01", "2026-04-01", "2026-04-10",
                "2026-05-01"):
        run(con, day)
    assert [r[2] for r in invoice_lines(con)] == [
        "2026-01-01", "2026-02-01", "2026-03-01", "2026-04-01"]
    assert credit_lines(con) == []


def fee_lines(con) -> list[tuple]:
    return con.execute(
        "SELECT service_id, kind, charge, cycle_start::VARCHAR, period_start::VARCHAR, "
        "period_end::VARCHAR, quantity, amount FROM published.invoice_lines "
        "WHERE charge = 'cancellation_fee' ORDER BY invoice_id").fetchall()


def test_a_cancel_inside_the_contract_charges_the_fee_once(con):
    # cancel on Feb 10 (immediate, the default): Feb 10..Mar 1 of February's pre-billed 30.00
    # is credited, 19/28 x 30.00 = 20.357 -> 20.36 (cancellation_credit), and the fee of 50.00
    # is invoiced once, on Feb 10, for the contract's rest Feb 10..Apr 1; later runs and a
    # re-run add nothing
    s = contract(fee="50.00")
    s.action("cancel", "2026-02-10")
    s.load(con)
    for day in ("2026-01-01", "2026-02-01", "2026-02-10", "2026-02-10", "2026-03-01",
                "2026-04-01"):
        run(con, day)
    assert fee_lines(con) == [
        ("SV1", "cancellation_fee", "cancellation_fee", "2026-01-01", "2026-02-10",
         "2026-04-01", 1, D("50.00"))]
    assert con.execute(
        "SELECT issue_date::VARCHAR, total FROM published.invoices "
        "WHERE invoice_id IN (SELECT invoice_id FROM published.invoice_lines "
        "WHERE charge = 'cancellation_fee')").fetchall() == [("2026-02-10", D("50.00"))]
    assert [(r[1], r[2], r[4]) for r in credit_lines(con)] == [
        ("cancellation_credit", "2026-02-10", D("20.36"))]


def test_a_cancel_after_the_contract_charges_no_fee(con):
    s = contract(fee="50.00")
    s.action("cancel", "2026-04-10")
    s.load(con)
    for day in ("2026-01-01", "2026-02-01", "2026-03-01", "2026-04-01", "2026-04-10"):
        run(con, day)
    assert fee_lines(con) == []


def test_a_cancel_during_the_trial_is_before_the_contract(con):
    # 14-day trial: the contract starts on Jan 15; a cancel on Jan 10 costs nothing
    s = contract(fee="50.00", trial_days=14)
    s.action("cancel", "2026-01-10")
    s.load(con)
    run(con, "2026-01-10")
    run(con, "2026-01-15")
    assert invoice_lines(con) == []


def test_end_of_contract_charges_no_fee(con):
    s = contract(fee="50.00")
    s.rule("cancel_in_contract", "end_of_contract")
    s.action("cancel", "2026-02-10")
    s.load(con)
    for day in ("2026-01-01", "2026-02-10", "2026-04-01"):
        run(con, day)
    assert fee_lines(con) == []


def test_a_withdrawn_cancel_credits_its_fee(con):
    # the cancel, seen on Feb 10, is withdrawn on Feb 12: the fee is credited in full
    # (correction) and February's 20.36 is billed again (correction)
    s = contract(fee="50.00")
    s.action("cancel", "2026-02-10", action_id="C1", status="cancelled",
             status_changed_at="2026-02-12T09:00:00")
    s.load(con)
    for day in ("2026-01-01", "2026-02-01", "2026-02-10", "2026-02-12"):
        run(con, day)
    assert [(r[1], r[4]) for r in credit_lines(con)] == [
        ("cancellation_credit", D("20.36")), ("correction", D("50.00"))]
    assert con.execute(
        "SELECT kind, charge, amount FROM published.invoice_lines "
        "WHERE bill_run_id IN (SELECT bill_run_id FROM published.bill_runs "
        "WHERE as_of = DATE '2026-02-12')").fetchall() == [
        ("correction", "period", D("20.36"))]
