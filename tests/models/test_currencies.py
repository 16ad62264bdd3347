from model_checks import failures, messages

from models.currencies import Currencies


def test_minor_units_are_0_to_4():
    rows = [{"currency": "XTS", "minor_units": n} for n in (0, 4, 5, -1)]
    assert failures(Currencies, *rows) == [(2, "minor_units", "range"), (3, "minor_units", "range")]
    assert messages(Currencies, rows[2]) == ["minor_units must be in [0, 4], got 5"]


def test_currency_is_a_three_letter_upper_case_code():
    rows = [{"currency": c, "minor_units": 2} for c in ("EUR", "eur", "EURO")]
    assert failures(Currencies, *rows) == [(1, "currency", "format"), (2, "currency", "format")]
