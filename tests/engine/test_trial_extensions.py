"""extend_trial (domain.md §5): once, only while the service is in its trial, only when
`trial_extension_allowed` is true; billing starts when the (extended) trial ends, prorated to
the billing day. 31.00 a month, billing day 1, pre-bill, a 14-day trial: activated Jan 1, the
trial ends Jan 15 and January's billable days are worth 1.00 each (17.00 unextended)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from scenario import Scenario, invoice_lines, rejections, run

D = Decimal


def trial(allowed: bool = True) -> Scenario:
    s = Scenario().simple(amount="31.00", trial_days=14)
    if allowed:
        s.rule("trial_extension_allowed", "true")
    s.action("activate", "2026-01-01")
    return s


def test_an_extension_by_days_moves_the_start_of_billing(con):
    # Jan 15 + 10 days = Jan 25: Jan 25..Feb 1 = 7/31 x 31.00 = 7.00, billed on Jan 25
    s = trial()
    s.action("extend_trial", "2026-01-05", days=10)
    s.load(con)
    assert run(con, "2026-01-24").invoices == 0
    run(con, "2026-01-25")
    assert invoice_lines(con) == [
        ("SV1", "proration", "2026-01-25", "2026-02-01", 7, 31, D("7.00"))]
    assert rejections(con) == []


def test_an_extension_to_a_date_prorates_the_first_billed_period(con):
    # until Feb 10: January is free; Feb 10..Mar 1 = 19/28 x 31.00 = 21.0357 -> 21.04
    s = trial()
    s.action("extend_trial", "2026-01-14", until_date=dt.date(2026, 2, 10))
    s.load(con)
    assert run(con, "2026-02-09").invoices == 0
    run(con, "2026-02-10")
    assert invoice_lines(con) == [
        ("SV1", "proration", "2026-02-10", "2026-03-01", 19, 28, D("21.04"))]


def test_an_extension_is_refused_when_the_rule_does_not_allow_it(con):
    # the default is false: the trial ends Jan 15 as granted, Jan 15..Feb 1 = 17.00
    s = trial(allowed=False)
    s.action("extend_trial", "2026-01-05", days=10, action_id="X1")
    s.load(con)
    run(con, "2026-01-15")
    assert rejections(con) == [("X1", "trial_extension_not_allowed")]
    assert invoice_lines(con) == [
        ("SV1", "proration", "2026-01-15", "2026-02-01", 17, 31, D("17.00"))]


def test_only_the_first_extension_takes_effect(con):
    # the second one, on Jan 20 inside the extended trial, is refused: billing from Jan 25
    s = trial()
    s.action("extend_trial", "2026-01-05", days=10, action_id="X1")
    s.action("extend_trial", "2026-01-20", days=10, action_id="X2")
    s.load(con)
    run(con, "2026-01-31")
    assert rejections(con) == [("X2", "trial_already_extended")]
    assert invoice_lines(con) == [
        ("SV1", "proration", "2026-01-25", "2026-02-01", 7, 31, D("7.00"))]


def test_a_second_extension_after_the_extended_trial_is_not_in_trial(con):
    s = trial()
    s.action("extend_trial", "2026-01-05", days=10, action_id="X1")
    s.action("extend_trial", "2026-01-26", days=30, action_id="X2")
    s.load(con)
    run(con, "2026-01-31")
    assert rejections(con) == [("X2", "not_in_trial")]
    assert invoice_lines(con) == [
        ("SV1", "proration", "2026-01-25", "2026-02-01", 7, 31, D("7.00"))]


def test_an_extension_after_the_trial_or_to_an_earlier_date_is_refused(con):
    s = trial()
    s.action("extend_trial", "2026-01-10", until_date=dt.date(2026, 1, 12), action_id="X1")
    s.action("extend_trial", "2026-01-16", days=5, action_id="X2")
    s.load(con)
    run(con, "2026-01-31")
    assert rejections(con) == [("X1", "not_an_extension"), ("X2", "not_in_trial")]
    assert invoice_lines(con) == [
        ("SV1", "proration", "2026-01-15", "2026-02-01", 17, 31, D("17.00"))]
