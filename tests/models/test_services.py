from datetime import date

from model_checks import failures, messages

from models.services import Services

VALID = {
    "service_id": "V1", "subscription_id": "S1", "product_id": "P1", "price_term_id": "PT1",
    "quantity": 1, "ordered_on": date(2026, 1, 5), "parent_service_id": None,
}


def row(**changes):
    return {**VALID, **changes}


def test_a_valid_service_passes():
    assert failures(Services, VALID, row(service_id="V2", parent_service_id="V1")) == []


def test_quantity_is_at_least_one():
    assert failures(Services, row(quantity=0)) == [(0, "quantity", "range")]
    assert messages(Services, row(quantity=0)) == ["quantity must be >= 1, got 0"]


def test_a_service_is_not_its_own_parent():
    assert failures(Services, row(parent_service_id="V1")) == [
        (0, "parent_service_id", "parent_is_self")
    ]


def test_references_and_ordered_on_are_required():
    assert failures(Services, row(price_term_id=None, ordered_on=None)) == [
        (0, "ordered_on", "not_null"), (0, "price_term_id", "not_null"),
    ]
