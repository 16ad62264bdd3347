"""Rented devices (domain.md §6) are charged per cycle like termed services, and follow the
same trials, regret and state rules. 31.00 a month, billing day 1, pre-bill: a January day is
worth 1.00."""

from __future__ import annotations

from decimal import Decimal

from scenario import Scenario, credit_lines, invoice_lines, run

D = Decimal


def device(**price) -> Scenario:
    s = Scenario()
    s.account()
    s.product(kind="device")
    s.price_term(amount="31.00", **price)
    s.subscription()
    s.service()
    return s


def test_a_whole_month_of_a_device_is_a_device_line(con):
    s = device()
    s.action("activate", "2026-01-01")
    s.load(con)
    run(con, "2026-01-01")
    run(con, "2026-02-01")
    assert invoice_lines(con) == [
        ("SV1", "device", "2026-01-01", "2026-02-01", 31, 31, D("31.00")),
        ("SV1", "device", "2026-02-01", "2026-03-01", 28, 28, D("31.00"))]


def test_a_device_in_trial_is_billed_from_the_trial_end(con):
    # 14-day trial from Jan 1: Jan 15..Feb 1 = 17/31 x 31.00 = 17.00, a proration
    s = device(trial_days=14)
    s.action("activate", "2026-01-01")
    s.load(con)
    assert run(con, "2026-01-14").invoices == 0
    run(con, "2026-01-15")
    assert invoice_lines(con) == [
        ("SV1", "proration", "2026-01-15", "2026-02-01", 17, 31, D("17.00"))]


def test_a_regretted_device_is_refunded(con):
    s = device()
    s.action("activate", "2026-01-01")
    s.action("regret", "2026-01-08")
    s.load(con)
    run(con, "2026-01-01")
    run(con, "2026-01-08")
    assert credit_lines(con) == [
        ("SV1", "regret_refund", "2026-01-01", "2026-02-01", D("31.00"), "INV-S1-2026-01-01")]
