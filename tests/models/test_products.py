from model_checks import failures

from models.products import Products

VALID = {"product_id": "P1", "name": "Gold", "kind": "termed", "tier_path": None,
         "bundle_kind": None}


def row(**changes):
    return {**VALID, **changes}


def test_kind_is_an_enum():
    assert failures(Products, row(kind="device"), row(kind="subscription")) == [
        (1, "kind", "enum")
    ]


def test_bundle_kind_belongs_to_bundles_only():
    assert failures(Products, row(kind="bundle", bundle_kind="flexible")) == []
    assert failures(Products, row(kind="bundle", bundle_kind="mixed")) == [
        (0, "bundle_kind", "enum")
    ]
    assert failures(Products, row(bundle_kind="fixed")) == [
        (0, "bundle_kind", "bundle_kind_not_bundle")
    ]
