from decimal import Decimal

from model_checks import failures

from models.bundle_components import BundleComponents


def test_a_bundle_is_not_its_own_component_and_add_ons_cost_no_less_than_zero():
    rows = [
        {"bundle_product_id": "B1", "component_product_id": "P1", "mandatory": False,
         "extra_amount": Decimal("2.50")},
        {"bundle_product_id": "B1", "component_product_id": "B1", "mandatory": True},
        {"bundle_product_id": "B1", "component_product_id": "P2", "mandatory": True,
         "extra_amount": Decimal("-1")},
    ]
    assert failures(BundleComponents, *rows) == [
        (1, "component_product_id", "component_is_bundle"), (2, "extra_amount", "range"),
    ]
