"""Payment requests before the funding issue (issue 2 §4): only past the credit limit, and
always in the currency's minor units."""

from __future__ import annotations

from decimal import Decimal

import pytest
from scenario import Scenario, run


def world(credit_limit: str, **method) -> Scenario:
    s = Scenario()
    s.account(credit_limit=credit_limit)
    s.product()
    s.price_term(amount="100.00", tax_rate="0.20")
    s.subscription(**method)
    s.service()
    s.action("activate", "2026-01-01")
    return s


def requests(con) -> list[tuple]:
    return con.execute(
        "SELECT payment_request_id, invoice_id, payment_method_id, amount, attempt "
        "FROM published.payment_requests ORDER BY payment_request_id"
    ).fetchall()


def test_request_for_the_part_beyond_the_credit_limit(con):
    # invoice 120.00 (100 + 20% tax), credit limit 50: request 70.00 from the primary card
    s = world("50")
    s.payment_method("CARD", kind="card", is_primary=True)
    s.payment_method("WALLET", kind="wallet", is_primary=False)
    s.load(con)
    run(con, "2026-01-01")
    assert requests(con) == [
        ("PR-INV-S1-2026-01-01-1", "INV-S1-2026-01-01", "CARD", Decimal("70.00"), 1)]
    assert con.execute("SELECT status FROM published.invoice_status").fetchall() == [
        ("unposted",)]


def test_within_credit_limit_no_request(con):
    s = world("500")
    s.payment_method("CARD")
    s.load(con)
    summary = run(con, "2026-01-01")
    assert summary.payment_requests == 0
    assert con.execute("SELECT status FROM published.invoice_status").fetchall() == [("posted",)]


def test_open_balance_counts_payments_and_earlier_invoices(con):
    # Jan invoice 120 unpaid, limit 150: no request. Feb: balance 240 -> request 90.
    # With a 100 payment on Jan 20: balance 140 -> nothing for Feb.
    s = world("150")
    s.payment_method("CARD")
    s.load(con)
    run(con, "2026-01-01")
    run(con, "2026-02-01")
    assert [r[3] for r in requests(con)] == [Decimal("90.00")]


def test_payment_reduces_open_balance(con):
    s = world("150")
    s.payment_method("CARD")
    s.transaction("T1", "100.00", occurred_on="2026-01-20")
    s.load(con)
    run(con, "2026-01-01")
    run(con, "2026-02-01")
    assert requests(con) == []


def test_subscription_method_first_and_wallet_last(con):
    s = world("0", payment_method_id="DD")
    s.payment_method("CARD", kind="card", is_primary=True)
    s.payment_method("DD", kind="direct_debit", is_primary=False)
    s.load(con)
    run(con, "2026-01-01")
    assert requests(con)[0][2] == "DD"


def test_no_active_method_counts_unfunded(con):
    s = world("0")
    s.payment_method("CARD", status="expired")
    s.load(con)
    summary = run(con, "2026-01-01")
    assert (summary.payment_requests, summary.unfunded_invoices) == (0, 1)


def test_rerun_never_sends_a_request_twice(con):
    s = world("0")
    s.payment_method("CARD")
    s.load(con)
    run(con, "2026-01-01")
    assert run(con, "2026-01-01").payment_requests == 0
    assert len(requests(con)) == 1


def test_a_request_is_in_minor_units_even_beside_a_finer_credit_limit(con):
    # invoice 120.00 and a credit limit of 50.00555 EUR (the loader quarantines such an
    # account; here it is written straight into the warehouse): the limit counts as 50.01 and
    # the request is 69.99, never 69.99445
    s = world("50.00555")
    s.payment_method("CARD")
    s.load(con)
    run(con, "2026-01-01")
    assert [r[3] for r in requests(con)] == [Decimal("69.99")]


@pytest.mark.parametrize(("currency", "amount", "limit", "expected"), [
    # JPY has no minor unit: 1001 + 20% tax (200.2 -> 200) = 1201; limit 1000: request 201
    ("JPY", "1001", "1000", Decimal("201")),
    # KWD has 3: 10.005 + 20% tax (2.001) = 12.006; limit 2.5: request 9.506
    ("KWD", "10.005", "2.5", Decimal("9.506")),
])
def test_requests_in_currencies_of_0_and_3_minor_units(con, currency, amount, limit, expected):
    s = world(limit)
    s.tables["accounts"][0]["currency"] = currency
    s.tables["price_terms"][0].update(currency=currency, amount=Decimal(amount))
    s.tables["subscriptions"][0]["currency"] = currency
    s.payment_method("CARD")
    s.load(con)
    run(con, "2026-01-01")
    assert [r[3] for r in requests(con)] == [expected]
