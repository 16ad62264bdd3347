from datetime import date
from decimal import Decimal

from model_checks import failures

from models.transactions import Transactions

VALID = {"transaction_id": "T1", "account_id": "A1", "kind": "payment",
         "amount": Decimal("19.99"), "currency": "EUR", "occurred_on": date(2026, 1, 16),
         "payment_request_id": None}


def row(**changes):
    return {**VALID, **changes}


def test_amount_is_positive_and_kind_an_enum():
    assert failures(Transactions, VALID, row(amount=Decimal("0")), row(kind="chargeback")) == [
        (1, "amount", "range"), (2, "kind", "enum"),
    ]
