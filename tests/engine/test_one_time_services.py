"""One-time services (domain.md §6): invoiced once, on activation, at amount x quantity, with an
invoice line of kind `one_time` for the one-day period [activation, activation + 1); never
again on a re-run or a later run; a cancel after billing credits nothing; a regret refunds it.
The charge is a charge key (service, activation day, price term, quantity) of the same
reconciliation as every period. The installation: 49.90 per unit; the subscription's termed
service: 31.00 a month, billing day 1, so a January day is worth 1.00."""

from __future__ import annotations

from decimal import Decimal

import pytest
from scenario import Scenario, credit_lines, invoice_lines, rejections, run

D = Decimal


def with_install(cycle="month", model="pre", quantity=2, amount="49.90", **price) -> Scenario:
    """A subscription (cycle `cycle`) with a termed service SV1 at 31.00 a month and a
    one-time installation SV2 of `quantity` units at `amount`."""
    s = Scenario()
    s.account()
    s.product("P1")
    s.product("INSTALL", kind="one_time")
    s.price_term("PT1", amount="31.00", model=model)
    s.price_term("PT-INST", amount=amount, product_id="INSTALL", cycle=None, model=model,
                 **price)
    if cycle == "none":
        s.subscription(cycle="none", model=None, method=None, bill_days_before=None)
    else:
        s.subscription(cycle=cycle, model=model)
        s.service("SV1")
    s.service("SV2", product_id="INSTALL", price_term_id="PT-INST", quantity=quantity)
    return s


def lines_of(con, service_id="SV2") -> list[tuple]:
    return [line for line in invoice_lines(con) if line[0] == service_id]


def test_billed_once_on_activation_never_again(con):
    # 49.90 x 2 = 99.80, one line for the activation day; a re-run and later runs add nothing
    s = with_install()
    s.action("activate", "2026-03-10", service_id="SV2")
    s.load(con)
    assert run(con, "2026-03-09").invoices == 0
    summary = run(con, "2026-03-10")
    assert invoice_lines(con, summary.bill_run_id) == [
        ("SV2", "one_time", "2026-03-10", "2026-03-11", 1, 1, D("99.80"))]
    assert run(con, "2026-03-10").invoices == 0
    for day in ("2026-03-11", "2026-04-01", "2026-05-01"):
        run(con, day)
    run(con, "2026-05-02", full=True)
    assert lines_of(con) == [("SV2", "one_time", "2026-03-10", "2026-03-11", 1, 1, D("99.80"))]
    line = con.execute("SELECT cycle_start::VARCHAR, cycle_end::VARCHAR, unit_amount, quantity "
                       "FROM published.invoice_lines").fetchone()
    assert line == ("2026-03-10", "2026-03-11", D("49.90"), 2)


def test_billed_in_the_first_run_that_reaches_the_activation(con):
    # no run on the activation day: the run of Mar 15 catches it up, once
    s = with_install()
    s.action("activate", "2026-03-10", service_id="SV2", recorded_at="2026-03-01")
    s.load(con)
    run(con, "2026-03-01")
    assert lines_of(con) == []
    run(con, "2026-03-15")
    run(con, "2026-03-16")
    assert lines_of(con) == [("SV2", "one_time", "2026-03-10", "2026-03-11", 1, 1, D("99.80"))]


@pytest.mark.parametrize("model", ["pre", "post"])
def test_billed_on_activation_under_either_billing_model(con, model):
    # a post-billed subscription bills the one-time charge on activation all the same
    s = with_install(model=model)
    s.action("activate", "2026-03-10", service_id="SV2")
    s.load(con)
    run(con, "2026-03-10")
    assert lines_of(con) == [("SV2", "one_time", "2026-03-10", "2026-03-11", 1, 1, D("99.80"))]


@pytest.mark.parametrize("action", ["cancel", "deactivate", "pause"])
def test_a_cancel_deactivate_or_pause_after_billing_credits_nothing(con, action):
    s = with_install()
    s.action("activate", "2026-03-10", service_id="SV2")
    s.action(action, "2026-03-12", service_id="SV2", recorded_at="2026-03-12", days=5)
    s.load(con)
    run(con, "2026-03-10")
    assert run(con, "2026-03-12").credit_notes == 0
    state = con.execute("SELECT state FROM published.service_states WHERE service_id = 'SV2' "
                        "ORDER BY as_of DESC LIMIT 1").fetchone()
    assert state == ({"cancel": "cancelled", "deactivate": "not_effective",
                      "pause": "paused"}[action],)
    assert run(con, "2026-04-01", full=True).credit_notes == 0
    assert credit_lines(con) == []


def test_an_activation_cancelled_the_same_day_bills_nothing(con):
    # an activate and a cancel on one day bill nothing (domain.md §5), one-time or not
    s = with_install()
    s.action("activate", "2026-03-10", service_id="SV2")
    s.action("cancel", "2026-03-10", service_id="SV2")
    s.load(con)
    run(con, "2026-03-10")
    assert lines_of(con) == []


def test_a_regret_refunds_the_one_time_charge_a_month_and_a_proration(con):
    # SV1 from Jan 20: Jan 20..Feb 1 = 12/31 x 31.00 = 12.00; Feb 1: February 31.00.
    # SV2 on Jan 20: 49.90 x 2 = 99.80. Both regretted on Feb 2 (13 days after Jan 20, inside
    # the 14-day window): the credit note refunds 12.00 + 31.00 + 99.80 = 142.80
    s = with_install()
    s.action("activate", "2026-01-20", service_id=None)
    s.action("regret", "2026-02-02", service_id=None, recorded_at="2026-02-02")
    s.load(con)
    run(con, "2026-01-20")
    run(con, "2026-02-01")
    assert invoice_lines(con) == [
        ("SV1", "proration", "2026-01-20", "2026-02-01", 12, 31, D("12.00")),
        ("SV2", "one_time", "2026-01-20", "2026-01-21", 1, 1, D("99.80")),
        ("SV1", "recurring", "2026-02-01", "2026-03-01", 28, 28, D("31.00"))]
    summary = run(con, "2026-02-02")
    assert credit_lines(con, summary.bill_run_id) == [
        ("SV1", "regret_refund", "2026-01-20", "2026-02-01", D("12.00"), "INV-S1-2026-01-20"),
        ("SV1", "regret_refund", "2026-02-01", "2026-03-01", D("31.00"), "INV-S1-2026-02-01"),
        ("SV2", "regret_refund", "2026-01-20", "2026-01-21", D("99.80"), "INV-S1-2026-01-20")]
    total = con.execute("SELECT total FROM published.credit_notes").fetchone()
    assert total == (D("142.80"),)
    assert run(con, "2026-03-01", full=True).invoices == 0


def test_a_regret_of_a_one_time_service_never_billed_bills_nothing(con):
    # activated and regretted before any run saw it: the first run bills and refunds nothing
    s = with_install()
    s.action("activate", "2026-03-10", service_id="SV2", recorded_at="2026-03-10")
    s.action("regret", "2026-03-11", service_id="SV2", recorded_at="2026-03-11")
    s.load(con)
    summary = run(con, "2026-03-12")
    assert (summary.invoices, summary.credit_notes) == (0, 0)
    assert rejections(con) == []


def test_a_backdated_activation_recorded_late_is_billed_by_the_run_of_its_recording(con):
    # activated Mar 10, recorded Mar 20: the runs up to Mar 19 know nothing of it; the run of
    # Mar 20 bills the 99.80, dated on the activation day
    s = with_install()
    s.action("activate", "2026-03-10", service_id="SV2", recorded_at="2026-03-20")
    s.load(con)
    for day in ("2026-03-10", "2026-03-15", "2026-03-19"):
        assert run(con, day).invoices == 0
    summary = run(con, "2026-03-20")
    assert invoice_lines(con, summary.bill_run_id) == [
        ("SV2", "one_time", "2026-03-10", "2026-03-11", 1, 1, D("99.80"))]
    assert run(con, "2026-03-21").invoices == 0


def test_in_a_subscription_with_billing_cycle_none(con):
    # the typical home of one-time charges: 49.90 x 2 = 99.80 with 19 % tax = 18.96
    # (99.80 x 0.19 = 18.962), once; its state is published like any service's
    s = with_install(cycle="none", tax_rate="0.19")
    s.action("activate", "2026-03-10", service_id="SV2")
    s.load(con)
    run(con, "2026-03-10")
    for day in ("2026-03-17", "2026-04-10"):  # no weekly or monthly period appears
        run(con, day)
    run(con, "2026-04-11", full=True)
    assert invoice_lines(con) == [
        ("SV2", "one_time", "2026-03-10", "2026-03-11", 1, 1, D("99.80"))]
    invoice = con.execute("SELECT subtotal, tax, total FROM published.invoices").fetchone()
    assert invoice == (D("99.80"), D("18.96"), D("118.76"))
    assert con.execute("SELECT state, since::VARCHAR FROM published.service_states "
                       "ORDER BY as_of DESC LIMIT 1").fetchone() == ("effective", "2026-03-10")


def test_a_none_subscription_cancel_under_end_of_period_is_not_moved(con):
    # `none` has no periods: cancel_out_of_contract = end_of_period has no period end to move
    # to, so the cancel applies on its date
    s = with_install(cycle="none")
    s.rule("cancel_out_of_contract", "end_of_period")
    s.action("activate", "2026-03-10", service_id="SV2")
    s.action("cancel", "2026-03-12", service_id="SV2")
    s.load(con)
    run(con, "2026-03-12")
    assert con.execute("SELECT state, since::VARCHAR FROM published.service_states "
                       "ORDER BY as_of DESC LIMIT 1").fetchone() == ("cancelled", "2026-03-12")


def test_a_change_before_activation_applies_one_after_it_does_not(con):
    # quantity 2 -> 3 before activation: 49.90 x 3 = 149.70; a change to 5 after it leaves the
    # billed charge as it is (nothing billed or credited)
    s = with_install()
    s.action("change", "2026-03-05", service_id="SV2", new_quantity=3)
    s.action("activate", "2026-03-10", service_id="SV2")
    s.action("change", "2026-03-15", service_id="SV2", new_quantity=5, recorded_at="2026-03-15")
    s.load(con)
    run(con, "2026-03-10")
    summary = run(con, "2026-03-15")
    assert (summary.invoices, summary.credit_notes) == (0, 0)
    assert lines_of(con) == [("SV2", "one_time", "2026-03-10", "2026-03-11", 1, 1, D("149.70"))]


def test_no_trial_on_a_one_time_price_term(con):
    # trial_days on a one-time price term is not read: billed on activation
    s = with_install(trial_days=14)
    s.action("activate", "2026-03-10", service_id="SV2")
    s.load(con)
    run(con, "2026-03-10")
    assert lines_of(con) == [("SV2", "one_time", "2026-03-10", "2026-03-11", 1, 1, D("99.80"))]


def test_the_price_version_valid_on_the_activation_day(con):
    # 49.90 until Mar 31, 59.90 from Apr 1: activated Apr 2 -> 59.90 x 2 = 119.80
    s = with_install()
    s.price_term("PT-INST", amount="59.90", product_id="INSTALL", cycle=None,
                 valid_from="2026-04-01")
    s.action("activate", "2026-04-02", service_id="SV2")
    s.load(con)
    run(con, "2026-04-02")
    assert lines_of(con) == [("SV2", "one_time", "2026-04-02", "2026-04-03", 1, 1, D("119.80"))]


def test_a_one_time_activation_does_not_anchor_the_periods(con):
    # anniversary billing: the installation on Mar 5 does not set the billing day; the
    # termed service activated Mar 10 does (F = Mar 10: a whole month 31.00)
    s = Scenario()
    s.account()
    s.product("P1")
    s.product("INSTALL", kind="one_time")
    s.price_term("PT1", amount="31.00")
    s.price_term("PT-INST", amount="49.90", product_id="INSTALL", cycle=None)
    s.subscription(method="anniversary")
    s.service("SV1")
    s.service("SV2", product_id="INSTALL", price_term_id="PT-INST", quantity=1)
    s.action("activate", "2026-03-05", service_id="SV2")
    s.action("activate", "2026-03-10", service_id="SV1")
    s.load(con)
    run(con, "2026-03-10")
    assert invoice_lines(con) == [
        ("SV1", "recurring", "2026-03-10", "2026-04-10", 31, 31, D("31.00")),
        ("SV2", "one_time", "2026-03-05", "2026-03-06", 1, 1, D("49.90"))]
