"""bill_in_advance (domain.md §3, §5): the periods it covers are invoiced by the run that sees
it, and the later runs bill nothing for them (expected - published = 0 when they fall due).
It covers the `cycles` periods after the one due on its date, or every period starting before
`until_date`. 30.00 a month, billing day 1, pre-bill, activated Jan 1: January is billed on
Jan 1 and every whole month is 30.00."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from scenario import Scenario, credit_lines, invoice_lines, rejections, run

D = Decimal


def monthly(**price) -> Scenario:
    s = Scenario().simple(amount="30.00", **price)
    s.action("activate", "2026-01-01")
    return s


def wake_on(con) -> str:
    return con.execute("SELECT wake_on::VARCHAR FROM published.subscription_checkpoints "
                       "WHERE subscription_id = 'S1'").fetchone()[0]


def test_three_cycles_are_billed_at_once_and_never_again(con):
    # Jan 10: the period due on that day is January (billed Jan 1), so 3 cycles are Feb, Mar
    # and Apr: 3 x 30.00 = 90.00 on one invoice; Feb 1, Mar 1 and Apr 1 publish nothing (the
    # subscription is not even computed: it next wakes when May falls due); May 1 bills May
    s = monthly()
    s.action("bill_in_advance", "2026-01-10", cycles=3, action_id="B1")
    s.load(con)
    run(con, "2026-01-01")
    summary = run(con, "2026-01-10")
    assert invoice_lines(con, summary.bill_run_id) == [
        ("SV1", "recurring", "2026-02-01", "2026-03-01", 28, 28, D("30.00")),
        ("SV1", "recurring", "2026-03-01", "2026-04-01", 31, 31, D("30.00")),
        ("SV1", "recurring", "2026-04-01", "2026-05-01", 30, 30, D("30.00"))]
    assert summary.invoices == 1
    assert wake_on(con) == "2026-05-01"
    for day in ("2026-02-01", "2026-03-01", "2026-04-01"):
        later = run(con, day)
        assert (later.invoices, later.credit_notes, later.subscriptions_in_scope) == (0, 0, 0)
    assert invoice_lines(con, run(con, "2026-05-01").bill_run_id) == [
        ("SV1", "recurring", "2026-05-01", "2026-06-01", 31, 31, D("30.00"))]
    assert run(con, "2026-05-01", full=True).invoices == 0  # a full run finds nothing left
    assert rejections(con) == []


def test_a_catch_up_run_bills_the_same_periods(con):
    # one run on Feb 15 sees the Jan 10 action: Jan and Feb are due, Mar and Apr in advance
    s = monthly()
    s.action("bill_in_advance", "2026-01-10", cycles=3)
    s.load(con)
    run(con, "2026-02-15")
    assert [line[2] for line in invoice_lines(con)] == [
        "2026-01-01", "2026-02-01", "2026-03-01", "2026-04-01"]


def test_until_date_bills_every_period_starting_before_it(con):
    # until Apr 1: Feb and Mar start before it, April does not: 2 x 30.00
    s = monthly()
    s.action("bill_in_advance", "2026-01-10", until_date=dt.date(2026, 4, 1))
    s.load(con)
    run(con, "2026-01-01")
    assert invoice_lines(con, run(con, "2026-01-10").bill_run_id) == [
        ("SV1", "recurring", "2026-02-01", "2026-03-01", 28, 28, D("30.00")),
        ("SV1", "recurring", "2026-03-01", "2026-04-01", 31, 31, D("30.00"))]
    assert run(con, "2026-03-01").invoices == 0
    assert run(con, "2026-04-01").invoices == 1


def test_a_scheduled_bill_in_advance_bills_on_its_date(con):
    # recorded Jan 2 for Jan 20, 1 cycle: nothing ahead before Jan 20, February on Jan 20
    s = monthly()
    s.action("bill_in_advance", "2026-01-20", recorded_at="2026-01-02", status="scheduled",
             cycles=1)
    s.load(con)
    run(con, "2026-01-01")
    assert run(con, "2026-01-19").invoices == 0
    assert invoice_lines(con, run(con, "2026-01-20").bill_run_id) == [
        ("SV1", "recurring", "2026-02-01", "2026-03-01", 28, 28, D("30.00"))]


def test_each_period_billed_ahead_takes_its_own_price_version(con):
    # a new price of 36.00 from Mar 1 (domain.md §11: the version valid on cycle_start):
    # Feb 30.00, Mar 36.00, Apr 36.00
    s = monthly()
    s.price_term(amount="36.00", valid_from="2026-03-01")
    s.action("bill_in_advance", "2026-01-10", cycles=3)
    s.load(con)
    run(con, "2026-01-01")
    assert [line[6] for line in invoice_lines(con, run(con, "2026-01-10").bill_run_id)] == [
        D("30.00"), D("36.00"), D("36.00")]


def test_a_cancel_after_it_credits_the_periods_billed_ahead(con):
    # Feb, Mar, Apr billed on Jan 10; cancelled from Feb 15: February keeps 14/28 x 30.00 =
    # 15.00 and is credited 15.00, March and April are credited in full (30.00 each), each
    # credit line naming the Jan 10 invoice
    s = monthly()
    s.action("bill_in_advance", "2026-01-10", cycles=3)
    s.action("cancel", "2026-02-15", recorded_at="2026-02-15")
    s.load(con)
    run(con, "2026-01-01")
    run(con, "2026-01-10")
    summary = run(con, "2026-02-15")
    assert credit_lines(con, summary.bill_run_id) == [
        ("SV1", "cancellation_credit", "2026-02-15", "2026-03-01", D("15.00"),
         "INV-S1-2026-01-10"),
        ("SV1", "cancellation_credit", "2026-03-01", "2026-04-01", D("30.00"),
         "INV-S1-2026-01-10"),
        ("SV1", "cancellation_credit", "2026-04-01", "2026-05-01", D("30.00"),
         "INV-S1-2026-01-10")]
    assert summary.invoices == 0
    assert run(con, "2026-05-01").invoices == 0


def test_a_subscription_level_bill_in_advance_covers_all_its_services(con):
    # SV2 at 30.00 x 2: 2 cycles ahead bill Feb and Mar for both, 30.00 and 60.00 each
    s = monthly()
    s.service("SV2", quantity=2)
    s.action("activate", "2026-01-01", service_id="SV2")
    s.action("bill_in_advance", "2026-01-10", service_id=None, cycles=2)
    s.load(con)
    run(con, "2026-01-01")
    assert [(line[0], line[2], line[6]) for line in
            invoice_lines(con, run(con, "2026-01-10").bill_run_id)] == [
        ("SV1", "2026-02-01", D("30.00")), ("SV1", "2026-03-01", D("30.00")),
        ("SV2", "2026-02-01", D("60.00")), ("SV2", "2026-03-01", D("60.00"))]


def test_bill_days_before_counts_the_period_due_by_its_billing_date(con):
    # 5 days before: on Jan 28 February's billing date (Jan 27) has come, so 1 cycle ahead is
    # March
    s = Scenario().simple(amount="30.00")
    s.tables["subscriptions"][0]["bill_days_before"] = 5
    s.action("activate", "2026-01-01")
    s.action("bill_in_advance", "2026-01-28", cycles=1)
    s.load(con)
    run(con, "2026-01-01")
    assert [line[2] for line in invoice_lines(con, run(con, "2026-01-28").bill_run_id)] == [
        "2026-03-01"]


def test_it_is_rejected_in_trial(con):
    # a 14-day trial from Jan 1 (billing from Jan 15): a bill_in_advance on Jan 5 is refused
    # and billing goes on as usual: Jan 15..Feb 1 = 17/31 x 30.00 = 16.45
    s = Scenario().simple(amount="30.00", trial_days=14)
    s.action("activate", "2026-01-01")
    s.action("bill_in_advance", "2026-01-05", cycles=3, action_id="B1")
    s.load(con)
    run(con, "2026-01-05")
    assert rejections(con) == [("B1", "in_trial")]
    run(con, "2026-01-15")
    assert invoice_lines(con) == [
        ("SV1", "proration", "2026-01-15", "2026-02-01", 17, 31, D("16.45"))]


def test_it_is_rejected_for_a_draft_or_cancelled_service(con):
    s = monthly()
    s.service("SV2")
    s.action("bill_in_advance", "2026-01-05", service_id="SV2", cycles=1, action_id="B1")
    s.action("cancel", "2026-01-06", action_id="X1")
    s.action("bill_in_advance", "2026-01-07", cycles=1, action_id="B2")
    s.load(con)
    assert run(con, "2026-01-07").invoices == 1  # January's 6 days, nothing ahead
    assert rejections(con) == [("B1", "invalid_transition:draft"),
                               ("B2", "invalid_transition:cancelled")]


def test_it_is_rejected_when_post_billed(con):
    s = Scenario().simple(amount="30.00", model="post")
    s.action("activate", "2026-01-01")
    s.action("bill_in_advance", "2026-01-10", cycles=2, action_id="B1")
    s.load(con)
    assert run(con, "2026-01-10").invoices == 0
    assert rejections(con) == [("B1", "post_billed")]


def test_an_until_date_inside_the_period_due_bills_nothing_and_is_rejected(con):
    # until Jan 25: no period after January starts before it
    s = monthly()
    s.action("bill_in_advance", "2026-01-10", until_date=dt.date(2026, 1, 25), action_id="B1")
    s.load(con)
    run(con, "2026-01-01")
    assert run(con, "2026-01-10").invoices == 0
    assert rejections(con) == [("B1", "nothing_in_advance")]
