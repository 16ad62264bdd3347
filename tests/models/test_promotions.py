from decimal import Decimal

from model_checks import failures, messages

from models.promotions import Promotions

VALID = {"promotion_id": "PR1", "kind": "percent", "value": Decimal("10"), "cycles": 3,
         "product_id": None, "auto_apply": False}


def row(**changes):
    return {**VALID, **changes}


def test_percent_is_between_0_and_100():
    assert failures(Promotions, row(value=Decimal("100")), row(value=Decimal("100.5"))) == [
        (1, "value", "percent_range")
    ]
    assert messages(Promotions, row(value=Decimal("150"))) == [
        "a percent promotion's value must be in [0, 100], got 150.000000"
    ]


def test_an_amount_may_exceed_100_but_not_be_negative():
    assert failures(Promotions, row(kind="amount", value=Decimal("250"))) == []
    assert failures(Promotions, row(kind="amount", value=Decimal("-1"))) == [(0, "value", "range")]


def test_kind_and_cycles():
    assert failures(Promotions, row(kind="bogo", cycles=0)) == [
        (0, "cycles", "range"), (0, "kind", "enum"),
    ]
