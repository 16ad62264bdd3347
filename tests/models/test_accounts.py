from datetime import date
from decimal import Decimal

from model_checks import failures

from models.accounts import Accounts

VALID = {"account_id": "A1", "name": "Ada", "currency": "EUR", "credit_limit": Decimal("0"),
         "classification": None, "created_on": date(2025, 12, 1)}


def test_credit_limit_is_not_negative_and_currency_required():
    bad = {**VALID, "credit_limit": Decimal("-0.01"), "currency": None}
    assert failures(Accounts, VALID, bad) == [
        (1, "credit_limit", "range"), (1, "currency", "not_null"),
    ]
