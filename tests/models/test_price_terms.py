from datetime import date
from decimal import Decimal

from model_checks import failures, messages

from models.price_terms import PriceTerms

VALID = {
    "price_term_id": "PT1", "valid_from": date(2026, 1, 1), "product_id": "P1",
    "currency": "EUR", "billing_cycle": "month", "amount": Decimal("19.99"),
    "billing_model": "pre", "trial_days": 0, "termed_cycles": 12, "auto_renew": True,
    "contract_cycles": None, "cancellation_fee": Decimal("0"), "tax_rate": Decimal("0.19"),
    "concurrent_usage": False,
}


def row(**changes):
    return {**VALID, **changes}


def test_a_valid_price_term_passes():
    assert failures(PriceTerms, VALID, row(billing_cycle=None, termed_cycles=None)) == []


def test_tax_rate_is_a_fraction_below_one():
    assert failures(PriceTerms, row(tax_rate=Decimal("0")), row(tax_rate=Decimal("0.999999")),
                    row(tax_rate=Decimal("1")), row(tax_rate=Decimal("-0.01"))) == [
        (2, "tax_rate", "range"), (3, "tax_rate", "range"),
    ]
    assert messages(PriceTerms, row(tax_rate=Decimal("1"))) == [
        "tax_rate must be in [0, 1), got 1.000000"
    ]


def test_money_and_counts_are_not_negative():
    assert failures(PriceTerms, row(amount=Decimal("-0.01"), cancellation_fee=Decimal("-1"),
                                    trial_days=-1)) == [
        (0, "amount", "range"), (0, "cancellation_fee", "range"), (0, "trial_days", "range"),
    ]


def test_termed_and_contract_cycles_are_at_least_one_when_set():
    assert failures(PriceTerms, row(termed_cycles=0, contract_cycles=0)) == [
        (0, "contract_cycles", "range"), (0, "termed_cycles", "range"),
    ]


def test_cycle_and_model_are_enums():
    assert failures(PriceTerms, row(billing_cycle="daily", billing_model="arrears")) == [
        (0, "billing_cycle", "enum"), (0, "billing_model", "enum"),
    ]
