from model_checks import failures

from models.payment_methods import PaymentMethods

VALID = {"payment_method_id": "PM1", "account_id": "A1", "kind": "card", "is_primary": True,
         "token": None, "status": "active"}


def test_kind_and_status_are_enums_and_primary_is_required():
    bad = {**VALID, "kind": "cash", "status": "lost", "is_primary": None}
    assert failures(PaymentMethods, VALID, bad) == [
        (1, "is_primary", "not_null"), (1, "kind", "enum"), (1, "status", "enum"),
    ]
