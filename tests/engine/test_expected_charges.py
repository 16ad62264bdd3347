"""Proration and rounding (domain.md §2), the one place money is rounded:
sql/reconcile/charge_values.sql."""

from __future__ import annotations

from decimal import Decimal

import pytest
from scenario import Scenario, run


def first_line(con) -> tuple:
    return con.execute(
        "SELECT days, period_days, amount, tax_amount FROM published.invoice_lines "
        "ORDER BY invoice_id, line_no LIMIT 1"
    ).fetchall()[0]


def test_domain_example_march(con):
    # 30.00 a month, billing day 1, activated 2026-03-10 -> 22/31 x 30.00 = 21.2903 -> 21.29
    s = Scenario().simple(amount="30.00")
    s.action("activate", "2026-03-10")
    s.load(con)
    run(con, "2026-03-10")
    assert first_line(con) == (22, 31, Decimal("21.29"), Decimal("0"))


def test_domain_example_billing_day_31_in_february(con):
    # 12.00, billing day 31, activated 2027-02-10 -> 18/28 x 12.00 = 7.714 -> 7.71
    s = Scenario().simple(amount="12.00", billing_day=31)
    s.action("activate", "2027-02-10")
    s.load(con)
    run(con, "2027-02-10")
    assert first_line(con) == (18, 28, Decimal("7.71"), Decimal("0"))


def test_denominator_is_the_anchored_period(con):
    # domain.md §10: billing day 31, start 2011-02-14 -> 14/28 of the month (Jan 31-Feb 28)
    s = Scenario().simple(amount="28.00", billing_day=31)
    s.tables["services"][0]["ordered_on"] = s.tables["services"][0]["ordered_on"].replace(2011)
    s.action("activate", "2011-02-14")
    s.load(con)
    run(con, "2011-02-14")
    assert first_line(con) == (14, 28, Decimal("14.00"), Decimal("0"))


@pytest.mark.parametrize(
    ("currency", "amount", "activated", "expected"),
    [
        # 10.00 x 15/30 = 5.00 exactly
        ("EUR", "10.00", "2026-06-16", Decimal("5.00")),
        # half away from zero: 0.05 x 15/30 = 0.025 -> 0.03 (half-to-even would give 0.02)
        ("EUR", "0.05", "2026-06-16", Decimal("0.03")),
        # JPY has no minor unit: 1000 x 15/30 = 500; 999 x 15/30 = 499.5 -> 500
        ("JPY", "999", "2026-06-16", Decimal("500")),
        # KWD has 3: 1.001 x 15/30 = 0.5005 -> 0.501
        ("KWD", "1.001", "2026-06-16", Decimal("0.501")),
        # price scale 6: 9.999999 x 1/30 = 0.33333330 -> 0.33
        ("USD", "9.999999", "2026-06-30", Decimal("0.33")),
    ],
)
def test_rounding_per_currency_half_away_from_zero(con, currency, amount, activated, expected):
    s = Scenario().simple(amount=amount, currency=currency)
    s.action("activate", activated)
    s.load(con)
    run(con, activated)
    assert first_line(con)[2] == expected


def test_quantity_multiplies_before_rounding(con):
    # 3 x 0.10 x 1/30 = 0.01 (each unit alone would round 0.0033 to 0.00)
    s = Scenario().simple(amount="0.10")
    s.tables["services"][0]["quantity"] = 3
    s.action("activate", "2026-06-30")
    s.load(con)
    run(con, "2026-06-30")
    assert first_line(con)[2] == Decimal("0.01")


def test_tax_is_rounded_once_per_line(con):
    # 21.29 x 0.19 = 4.0451 -> 4.05
    s = Scenario().simple(amount="30.00", tax_rate="0.19")
    s.action("activate", "2026-03-10")
    s.load(con)
    run(con, "2026-03-10")
    assert first_line(con) == (22, 31, Decimal("21.29"), Decimal("4.05"))
    total = con.execute("SELECT subtotal, tax, total FROM published.invoices").fetchall()[0]
    assert total == (Decimal("21.29"), Decimal("4.05"), Decimal("25.34"))


def test_price_version_valid_on_cycle_start(con):
    # 30.00 until 2026-04-30, 36.00 from 2026-05-01: April at 30, May at 36
    s = Scenario().simple(amount="30.00")
    s.price_term(amount="36.00", valid_from="2026-05-01")
    s.action("activate", "2026-04-01")
    s.load(con)
    run(con, "2026-05-01")
    amounts = con.execute(
        "SELECT cycle_start::VARCHAR, price_valid_from::VARCHAR, amount "
        "FROM published.invoice_lines ORDER BY cycle_start"
    ).fetchall()
    assert amounts == [("2026-04-01", "2000-01-01", Decimal("30.00")),
                       ("2026-05-01", "2026-05-01", Decimal("36.00"))]


def test_price_version_from_first_billable_day_when_none_on_cycle_start(con):
    # the only version starts 2026-04-10, after cycle_start 04-01: the one valid on 04-15
    s = Scenario().simple(amount="30.00", valid_from="2026-04-10")
    s.action("activate", "2026-04-15")
    s.load(con)
    run(con, "2026-04-15")
    assert first_line(con)[:3] == (16, 30, Decimal("16.00"))


def test_billed_terms_are_frozen_against_catalogue_edits(con):
    # April is billed at 30.00; a later snapshot edits the version to 45.00: nothing changes
    s = Scenario().simple(amount="30.00")
    s.action("activate", "2026-04-01")
    s.load(con)
    run(con, "2026-04-01")
    s.tables["price_terms"][0]["amount"] = Decimal("45.00")
    s.load(con, load_id="L2")
    summary = run(con, "2026-04-02")
    assert (summary.invoices, summary.credit_notes) == (0, 0)
