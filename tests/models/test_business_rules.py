from datetime import date
from pathlib import Path

import pytest
import sqlglot
from model_checks import failures, messages
from sqlglot import exp

from models.business_rules import RULE_VALUES, SERVICE_LIMIT_PREFIX, BusinessRules, describe
from pipelines.engine.catalog import SQL_DIR

ROOT = Path(__file__).resolve().parents[2]


def rule(key: str, value: str) -> dict:
    return {"key": key, "value": value, "valid_from": date(2026, 1, 1)}


def test_every_documented_value_passes():
    assert failures(
        BusinessRules,
        rule("regret_days", "0"), rule("regret_days", "14"), rule("default_billing_day", "31"),
        rule("default_billing_weekday", "7"), rule("trial_once_per", "contact"),
        rule("trial_extension_allowed", "false"), rule("cancel_in_contract", "end_of_contract"),
        rule("deactivation_threshold", "0"), rule("usage_charge_limit", "250.125"),
        rule("deactivation_excluded_classifications", "vip, staff"),
        rule("service_limit_residential", "3"), rule("payment_retries", "0"),
    ) == []


@pytest.mark.parametrize("key, value", [
    ("regret_days", "-3"),             # domain.md: a number of days
    ("regret_days", "14 days"),
    ("default_billing_day", "32"),     # days of a month: 1–31
    ("default_billing_weekday", "0"),  # ISO weekdays: 1–7
    ("pause_max_days", "0"),           # a pause lasts at least a day
    ("trial_once_per", "sometimes"),   # contact or service
    ("trial_extension_allowed", "yes"),
    ("downgrade_timing", "later"),
    ("deactivation_threshold", "-1"),
    ("usage_charge_limit", "1e3"),
    ("deactivation_excluded_classifications", "vip,,staff"),
    ("service_limit_residential", "two"),
])
def test_a_value_its_key_cannot_take_is_refused(key, value):
    assert failures(BusinessRules, rule(key, value)) == [(0, "value", "valid_value")]
    assert messages(BusinessRules, rule(key, value)) == [
        "not a value its key takes (the README's business-rule table lists each key's values)"
        f", got {value}"]


@pytest.mark.parametrize("key", ["regret_dayz", "service_limit_", "SERVICE_LIMIT_vip", ""])
def test_an_unknown_key_is_refused(key):
    assert failures(BusinessRules, rule(key, "1")) == [(0, "key", "known_key")]


def test_every_default_is_a_known_key_with_a_valid_value():
    """sql/sources/src_rule_defaults.sql writes the defaults; each must pass the model."""
    tree = sqlglot.parse_one((SQL_DIR / "sources" / "src_rule_defaults.sql").read_text(),
                             read="duckdb")
    defaults = [tuple(lit.this for lit in row.expressions) for row in tree.find_all(exp.Tuple)]
    assert len(defaults) >= 7
    assert failures(BusinessRules, *(rule(k, v) for k, v in defaults)) == []


def test_the_readme_lists_every_key_with_its_values():
    readme = (ROOT / "README.md").read_text()
    for key, values in {**RULE_VALUES, SERVICE_LIMIT_PREFIX + "<classification>": (
            "integer", 0, None)}.items():
        assert f"| `{key}` | {describe(values)} |" in readme, key
