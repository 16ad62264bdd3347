"""Anchored billing periods (domain.md §1) through the whole engine: each case activates one
service and reads the periods of the lines the run publishes."""

from __future__ import annotations

from decimal import Decimal

import pytest
from scenario import Scenario, invoice_lines, run


def periods(con) -> list[tuple[str, str, int, int]]:
    return [(ps, pe, days, pdays) for _, _, ps, pe, days, pdays, _ in invoice_lines(con)]


def test_quarterly_anniversary_example(con):
    # domain.md §1: quarterly, anniversary, b = 20, F = 2026-02-25 -> 2026-02-25..05-20, 84/89
    s = Scenario().simple(amount="89.00", cycle="quarter", method="anniversary", billing_day=20)
    s.action("activate", "2026-02-25")
    s.load(con)
    run(con, "2026-02-25")
    assert invoice_lines(con) == [
        ("SV1", "proration", "2026-02-25", "2026-05-20", 84, 89, Decimal("84.0000")),
    ]


@pytest.mark.parametrize(
    ("activated", "as_of", "expected"),
    [
        # billing day 31 through February of a non-leap year: Jan 31, Feb 28, Mar 31, Apr 30
        ("2027-01-31", "2027-04-30", [("2027-01-31", "2027-02-28", 28, 28),
                                      ("2027-02-28", "2027-03-31", 31, 31),
                                      ("2027-03-31", "2027-04-30", 30, 30),
                                      ("2027-04-30", "2027-05-31", 31, 31)]),
        # leap year: Feb 29
        ("2028-01-31", "2028-03-31", [("2028-01-31", "2028-02-29", 29, 29),
                                      ("2028-02-29", "2028-03-31", 31, 31),
                                      ("2028-03-31", "2028-04-30", 30, 30)]),
    ],
)
def test_billing_day_31_clamps_to_month_end(con, activated, as_of, expected):
    s = Scenario().simple(amount="10.00", billing_day=31)
    s.action("activate", activated)
    s.load(con)
    run(con, as_of)
    assert periods(con) == expected


@pytest.mark.parametrize(
    ("billing_day", "expected"),
    [
        (29, [("2027-01-29", "2027-02-28", 30, 30), ("2027-02-28", "2027-03-29", 29, 29)]),
        (30, [("2027-01-30", "2027-02-28", 29, 29), ("2027-02-28", "2027-03-30", 30, 30)]),
    ],
)
def test_billing_days_29_and_30_across_february(con, billing_day, expected):
    s = Scenario().simple(amount="10.00", billing_day=billing_day)
    s.action("activate", f"2027-01-{billing_day}")
    s.load(con)
    run(con, "2027-02-28")
    assert periods(con) == expected


@pytest.mark.parametrize(
    ("cycle", "activated", "first_period"),
    [
        # period billing is calendar-aligned: quarters from Jan/Apr/Jul/Oct ...
        ("quarter", "2026-05-10", ("2026-05-10", "2026-07-01", 52, 91)),
        # ... half-years from Jan/Jul, years from Jan
        ("half_year", "2026-03-01", ("2026-03-01", "2026-07-01", 122, 181)),
        ("year", "2028-07-01", ("2028-07-01", "2029-01-01", 184, 366)),
        ("month", "2026-02-15", ("2026-02-15", "2026-03-01", 14, 28)),
    ],
)
def test_period_billing_is_calendar_aligned(con, cycle, activated, first_period):
    s = Scenario().simple(amount="100.00", cycle=cycle)
    s.action("activate", activated)
    s.load(con)
    run(con, activated)
    assert periods(con) == [first_period]


def test_anniversary_without_billing_day_anchors_on_first_billable_day(con):
    # b = F's day (17); the first period is whole: 2026-03-17..2026-04-17
    s = Scenario().simple(amount="30.00", method="anniversary")
    s.action("activate", "2026-03-17")
    s.load(con)
    run(con, "2026-04-17")
    assert periods(con) == [("2026-03-17", "2026-04-17", 31, 31),
                            ("2026-04-17", "2026-05-17", 30, 30)]


def test_anniversary_quarters_follow_first_month(con):
    # F in February: quarters Feb/May/Aug/Nov on the stated day 5
    s = Scenario().simple(amount="90.00", cycle="quarter", method="anniversary", billing_day=5)
    s.action("activate", "2026-02-05")
    s.load(con)
    run(con, "2026-05-05")
    assert periods(con) == [("2026-02-05", "2026-05-05", 89, 89),
                            ("2026-05-05", "2026-08-05", 92, 92)]


def test_weekly_periods_start_on_iso_weekday(con):
    # billing_day 1 = Monday; 2026-01-08 is a Thursday -> Thu..Mon is 4 of 7 days
    s = Scenario().simple(amount="7.00", cycle="week", billing_day=1)
    s.action("activate", "2026-01-08")
    s.load(con)
    run(con, "2026-01-19")
    assert periods(con) == [("2026-01-08", "2026-01-12", 4, 7),
                            ("2026-01-12", "2026-01-19", 7, 7),
                            ("2026-01-19", "2026-01-26", 7, 7)]


def test_weekly_anniversary_uses_first_days_weekday(con):
    # F = 2026-01-07, a Wednesday (ISO 3): weeks run Wednesday to Wednesday
    s = Scenario().simple(amount="7.00", cycle="week", method="anniversary")
    s.action("activate", "2026-01-07")
    s.load(con)
    run(con, "2026-01-14")
    assert periods(con) == [("2026-01-07", "2026-01-14", 7, 7),
                            ("2026-01-14", "2026-01-21", 7, 7)]


def test_default_billing_day_rule_applies_under_period_billing(con):
    s = Scenario().simple(amount="30.00")
    s.rule("default_billing_day", 15)
    s.action("activate", "2026-03-01")
    s.load(con)
    run(con, "2026-03-01")
    assert periods(con) == [("2026-03-01", "2026-03-15", 14, 28)]


def test_first_recorded_activation_anchors_even_when_a_later_recorded_one_takes_effect(con):
    # anniversary, no billing day. An activation for Apr 20 is scheduled on Mar 13, so
    # F = Apr 20 and b = 20. On Mar 21 a second activation, dated Mar 21, takes effect (the
    # Apr 20 one is then rejected: the service is already effective). F does not move: the
    # days from Mar 21 are a partial line of the anchored period Mar 20..Apr 20,
    # 30/31 x 31.00 = 30.00, and Apr 20..May 20 is billed whole (31.00).
    s = Scenario().simple(amount="31.00", method="anniversary")
    s.action("activate", "2026-04-20", recorded_at="2026-03-13", status="scheduled")
    s.action("activate", "2026-03-21")
    s.load(con)
    for day in ("2026-03-13", "2026-03-21", "2026-04-20"):
        run(con, day)
    assert invoice_lines(con) == [
        ("SV1", "proration", "2026-03-21", "2026-04-20", 30, 31, Decimal("30.0000")),
        ("SV1", "recurring", "2026-04-20", "2026-05-20", 30, 30, Decimal("31.0000")),
    ]
    assert con.execute(
        "SELECT action_id, reason FROM published.action_rejections"
    ).fetchall() == [("A0001", "invalid_transition:effective")]
