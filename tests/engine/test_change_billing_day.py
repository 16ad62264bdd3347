"""change_billing_day (domain.md §5, §10), anniversary subscriptions only: the running period
ends on the next occurrence of the new day and is charged days / days of the original
period; from there periods follow the new day; days already billed past the new end are
credited. Monthly: 28.00 a month, anniversary, activated Jan 10 (billing day 10), pre-bill:
Jan 10, Feb 10 and Mar 10 start whole periods of 28.00."""

from __future__ import annotations

from decimal import Decimal

from scenario import Scenario, credit_lines, invoice_lines, rejections, run

D = Decimal


def monthly(method: str = "anniversary") -> Scenario:
    s = Scenario().simple(amount="28.00", method=method)
    s.action("activate", "2026-01-10")
    return s


def test_a_later_day_ends_the_running_period_early_and_credits_the_rest(con):
    # on Feb 15 the day moves to 25: the period Feb 10..Mar 10 (28 days, billed 28.00 on Feb 10)
    # ends on Feb 25 and is worth 15/28 x 28.00 = 15.00, so 13.00 is credited; from Feb 25
    # the periods run 25th to 25th: Feb 25..Mar 25 (28 days) 28.00, Mar 25..Apr 25 28.00
    s = monthly()
    s.action("change_billing_day", "2026-02-15", service_id=None, billing_day=25)
    s.load(con)
    run(con, "2026-01-10")
    run(con, "2026-02-10")
    summary = run(con, "2026-02-15")
    assert summary.invoices == 0
    assert credit_lines(con, summary.bill_run_id) == [
        ("SV1", "correction", "2026-02-25", "2026-03-10", D("13.00"), "INV-S1-2026-02-10")]
    assert run(con, "2026-02-24").invoices == 0
    assert invoice_lines(con, run(con, "2026-02-25").bill_run_id) == [
        ("SV1", "recurring", "2026-02-25", "2026-03-25", 28, 28, D("28.00"))]
    assert run(con, "2026-03-10").invoices == 0  # the old anniversary is gone
    assert invoice_lines(con, run(con, "2026-03-25").bill_run_id) == [
        ("SV1", "recurring", "2026-03-25", "2026-04-25", 31, 31, D("28.00"))]
    assert run(con, "2026-03-25", full=True).invoices == 0
    assert rejections(con) == []


def test_a_catch_up_run_bills_the_short_period_as_a_proration(con):
    # one run on Mar 1 sees it all: Jan 10..Feb 10 28.00, Feb 10..Feb 25 15/28 x 28.00 =
    # 15.00, Feb 25..Mar 25 28.00
    s = monthly()
    s.action("change_billing_day", "2026-02-15", service_id=None, billing_day=25)
    s.load(con)
    run(con, "2026-03-01")
    assert invoice_lines(con) == [
        ("SV1", "recurring", "2026-01-10", "2026-02-10", 31, 31, D("28.00")),
        ("SV1", "proration", "2026-02-10", "2026-02-25", 15, 28, D("15.00")),
        ("SV1", "recurring", "2026-02-25", "2026-03-25", 28, 28, D("28.00"))]


def test_a_day_already_passed_this_period_takes_over_in_the_next(con):
    # on Feb 15 the day moves to 12: its next occurrence is Mar 12, so Feb 10..Mar 10 stays
    # whole and Mar 10..Mar 12 is the short period: 2/31 x 28.00 = 1.806 -> 1.81; then
    # Mar 12..Apr 12 (31 days) 28.00
    s = monthly()
    s.action("change_billing_day", "2026-02-15", service_id=None, billing_day=12)
    s.load(con)
    run(con, "2026-01-10")
    run(con, "2026-02-10")
    assert run(con, "2026-02-15").credit_notes == 0
    assert invoice_lines(con, run(con, "2026-03-10").bill_run_id) == [
        ("SV1", "proration", "2026-03-10", "2026-03-12", 2, 31, D("1.81"))]
    assert invoice_lines(con, run(con, "2026-03-12").bill_run_id) == [
        ("SV1", "recurring", "2026-03-12", "2026-04-12", 31, 31, D("28.00"))]


def test_a_later_request_replaces_one_still_pending(con):
    # Feb 15: day 25 (from Feb 25); Feb 20, before that: day 5, whose next occurrence is Mar 5.
    # The first never takes effect; Feb 10..Mar 5 is worth 23/28 x 28.00 = 23.00, 5.00 credited
    s = monthly()
    s.action("change_billing_day", "2026-02-15", billing_day=25, action_id="C1")
    s.action("change_billing_day", "2026-02-20", billing_day=5, action_id="C2")
    s.load(con)
    run(con, "2026-02-10")
    summary = run(con, "2026-02-20")
    assert [line[4] for line in credit_lines(con, summary.bill_run_id)] == [D("5.00")]
    assert rejections(con) == [("C1", "billing_day_change_superseded")]
    assert invoice_lines(con, run(con, "2026-03-05").bill_run_id) == [
        ("SV1", "recurring", "2026-03-05", "2026-04-05", 31, 31, D("28.00"))]


def test_a_yearly_subscription_keeps_its_month_and_moves_the_day(con):
    # 365.00 a year, activated 2026-03-15: the year 2026-03-15..2027-03-15 (365 days) is billed
    # 365.00. On 2026-06-10 the day moves to 1: the next 1st of the anniversary month is
    # 2027-03-01, so that year ends there: 351/365 x 365.00 = 351.00, 14.00 credited; then
    # 2027-03-01..2028-03-01 (366 days, leap) 365.00
    s = Scenario().simple(amount="365.00", cycle="year", method="anniversary")
    s.action("activate", "2026-03-15")
    s.action("change_billing_day", "2026-06-10", service_id=None, billing_day=1)
    s.load(con)
    assert invoice_lines(con, run(con, "2026-03-15").bill_run_id) == [
        ("SV1", "recurring", "2026-03-15", "2027-03-15", 365, 365, D("365.00"))]
    summary = run(con, "2026-06-10")
    assert credit_lines(con, summary.bill_run_id) == [
        ("SV1", "correction", "2027-03-01", "2027-03-15", D("14.00"), "INV-S1-2026-03-15")]
    assert run(con, "2027-02-28").invoices == 0
    assert invoice_lines(con, run(con, "2027-03-01").bill_run_id) == [
        ("SV1", "recurring", "2027-03-01", "2028-03-01", 366, 366, D("365.00"))]
    assert run(con, "2027-03-15").invoices == 0


def test_a_period_method_subscription_rejects_it(con):
    # billing day 1 by the rules: nothing moves, March is billed on Mar 1 as usual
    s = monthly(method="period")
    s.action("change_billing_day", "2026-02-15", service_id=None, billing_day=25,
             action_id="C1")
    s.load(con)
    run(con, "2026-02-15")
    assert rejections(con) == [("C1", "not_anniversary")]
    assert invoice_lines(con, run(con, "2026-03-01").bill_run_id) == [
        ("SV1", "recurring", "2026-03-01", "2026-04-01", 31, 31, D("28.00"))]


def test_a_weekly_subscription_needs_an_iso_weekday(con):
    s = Scenario().simple(amount="7.00", cycle="week", method="anniversary")
    s.action("activate", "2026-01-05")
    s.action("change_billing_day", "2026-01-07", billing_day=9, action_id="C1")
    s.load(con)
    run(con, "2026-01-07")
    assert rejections(con) == [("C1", "billing_day_out_of_range")]


def test_a_weekly_subscription_moves_to_the_new_weekday(con):
    # 7.00 a week from Monday 2026-01-05; on Wed Jan 7 the day moves to Friday (5): the week
    # Jan 5..Jan 12 ends on Fri Jan 9, 4/7 x 7.00 = 4.00, 3.00 credited; Jan 9..Jan 16 7.00
    s = Scenario().simple(amount="7.00", cycle="week", method="anniversary")
    s.action("activate", "2026-01-05")
    s.action("change_billing_day", "2026-01-07", billing_day=5)
    s.load(con)
    run(con, "2026-01-05")
    assert [line[4] for line in credit_lines(con, run(con, "2026-01-07").bill_run_id)] == [
        D("3.00")]
    assert invoice_lines(con, run(con, "2026-01-09").bill_run_id) == [
        ("SV1", "recurring", "2026-01-09", "2026-01-16", 7, 7, D("7.00"))]
