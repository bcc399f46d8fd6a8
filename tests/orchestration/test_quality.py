"""The Great Expectations suites pass good data, fail bad data, and load lazily."""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal

import pytest

from quality.isin import is_valid_isin
from quality.suites import SUITES, validate


@pytest.mark.parametrize(
    ("isin", "valid"),
    [
        ("US0378331005", True),  # Apple
        ("DE0007164600", True),  # SAP
        ("US0378331006", False),  # wrong check digit
        ("US037833100", False),  # too short
        ("us0378331005", False),
        (None, False),
    ],
    ids=["apple", "sap", "bad-check-digit", "short", "lowercase", "null"],
)
def test_isin_check_digit(isin: str | None, valid: bool) -> None:
    assert is_valid_isin(isin) is valid


def test_isin_suite_fails_on_a_bad_check_digit() -> None:
    suite = SUITES["isin_validity"]
    assert validate(suite, ["isin"], [("US0378331005",), ("DE0007164600",)]).success
    outcome = validate(suite, ["isin"], [("US0378331005",), ("US0378331006",)])
    assert not outcome.success
    assert outcome.failed_expectations == ["expect_column_values_to_be_in_set"]


def test_settlement_amount_suite_wants_non_negative_decimals() -> None:
    suite = SUITES["settlement_amounts"]
    columns = ["settlement_event_id", "settled_quantity"]
    assert validate(suite, columns, [("a", Decimal("10.5")), ("b", Decimal("0"))]).success
    assert not validate(suite, columns, [("a", Decimal("-1"))]).success
    assert not validate(suite, columns, [("a", 10.5)]).success, "a float is not a decimal"


def test_status_transition_suite_rejects_settled_then_pending() -> None:
    suite = SUITES["status_transitions"]
    columns = ["instruction_ref", "transition"]
    assert validate(suite, columns, [("i1", "none->pending"), ("i1", "pending->settled")]).success
    assert not validate(suite, columns, [("i1", "settled->pending")]).success


def test_loading_the_definitions_does_not_import_great_expectations() -> None:
    code = (
        "import sys, orchestration.definitions as d; d.build_definitions(); "
        "print('great_expectations' in sys.modules)"
    )
    completed = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip().splitlines()[-1] == "False"
