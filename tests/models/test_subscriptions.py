from datetime import date
from decimal import Decimal

from model_checks import failures, messages

from models.subscriptions import Subscriptions

VALID = {
    "subscription_id": "S1", "account_id": "A1", "currency": "EUR", "billing_cycle": "month",
    "billing_model": "pre", "billing_method": "anniversary", "billing_day": 31,
    "bill_days_before": 3, "payment_method_id": None, "agreement_date": date(2026, 1, 5),
    "concurrent_usage": None, "rate_percent": None,
}


def row(**changes):
    return {**VALID, **changes}


def test_a_valid_subscription_passes():
    assert failures(Subscriptions, VALID, row(billing_day=None)) == []


def test_weekly_billing_day_is_an_iso_weekday():
    assert failures(Subscriptions, row(billing_cycle="week", billing_day=7)) == []
    assert failures(Subscriptions, row(billing_cycle="week", billing_day=8)) == [
        (0, "billing_day", "billing_day_range")
    ]
    assert messages(Subscriptions, row(billing_cycle="week", billing_day=8)) == [
        "billing_day must be 1-7 (ISO weekday) for weekly cycles and 1-31 otherwise, got 8"
    ]


def test_monthly_and_longer_billing_day_is_a_day_of_month():
    rows = [row(billing_cycle=c, billing_day=d)
            for c, d in (("quarter", 31), ("year", 32), ("month", 0), ("half_year", 1))]
    assert failures(Subscriptions, *rows) == [
        (1, "billing_day", "billing_day_range"), (2, "billing_day", "billing_day_range"),
    ]


def test_billing_cycle_is_an_enum_including_none():
    assert failures(Subscriptions, row(billing_cycle="fortnight")) == [
        (0, "billing_cycle", "enum")
    ]
    assert messages(Subscriptions, row(billing_cycle="Month")) == [
        "billing_cycle must be one of week, month, quarter, half_year, year, none, got Month"
    ]


def test_billing_terms_are_required_unless_the_cycle_is_none():
    empty = {"billing_model": None, "billing_method": None, "bill_days_before": None}
    assert failures(Subscriptions, row(billing_cycle="none", **empty)) == []
    assert failures(Subscriptions, row(**empty)) == [
        (0, "bill_days_before", "required_unless_no_billing"),
        (0, "billing_method", "required_unless_no_billing"),
        (0, "billing_model", "required_unless_no_billing"),
    ]


def test_enums_and_ranges_of_the_terms():
    assert failures(Subscriptions, row(billing_model="arrears", billing_method="calendar",
                                       bill_days_before=-1)) == [
        (0, "bill_days_before", "range"), (0, "billing_method", "enum"),
        (0, "billing_model", "enum"),
    ]


def test_concurrent_usage_comes_with_its_rate():
    assert failures(Subscriptions, row(concurrent_usage=3, rate_percent=Decimal("80"))) == []
    assert failures(Subscriptions, row(concurrent_usage=3)) == [
        (0, "rate_percent", "concurrent_usage_pair")
    ]
    assert failures(Subscriptions, row(concurrent_usage=0, rate_percent=Decimal("-1"))) == [
        (0, "concurrent_usage", "range"), (0, "rate_percent", "range"),
    ]


def test_ids_and_agreement_date_are_required():
    assert failures(Subscriptions, row(subscription_id=None, agreement_date=None)) == [
        (0, "agreement_date", "not_null"), (0, "subscription_id", "not_null"),
    ]
