"""What each dbt data test protects: the project's severities (partial-delivery tests warn,
invariants are errors) and which platform's write-back a failing error test holds back,
read from the dbt graph; and the Dagster check result that says so."""

from __future__ import annotations

import json

import dagster as dg
import pytest

from orchestration.defs.transformation import with_posttrade_severity
from posttrade.dbt_manifest import prepare_manifest
from quality.data_tests import WARN, declared_tests


@pytest.fixture(scope="module")
def tests_by_name() -> dict:
    manifest = json.loads(prepare_manifest().read_text())
    return {test.name: test for test in declared_tests(manifest).values()}


def test_every_dbt_test_runs_at_warn_so_none_stops_a_model() -> None:
    manifest = json.loads(prepare_manifest().read_text())
    severities = {
        node["config"]["severity"].lower()
        for node in manifest["nodes"].values()
        if node["resource_type"] == "test"
    }
    assert severities == {WARN}


@pytest.mark.parametrize(
    ("test_name", "severity", "holds"),
    [
        # A platform that delivered nothing empties its marts: a warning, nothing held.
        ("not_empty_dim_instruments_", "warn", ()),
        ("relationships_fct_allocations_trade_id__trade_id__ref_fct_trades_", "warn", ()),
        # An invariant of the breaks table holds every platform's write-back.
        ("unique_breaks_break_id", "error", ("arm", "ctm", "custodian", "oms")),
        # The ARM's acknowledgements feed only the ARM's resubmissions.
        ("not_null_stg_arm__report_acks_source_file", "error", ("arm",)),
        # An analytics mart feeds no write-back: reported, nothing held.
        ("not_null_fct_break_aging_recon", "error", ()),
    ],
)
def test_a_test_is_sorted_by_what_it_protects(
    tests_by_name: dict, test_name: str, severity: str, holds: tuple[str, ...]
) -> None:
    test = tests_by_name[test_name]
    assert (test.severity, test.holds_writeback) == (severity, holds)


def test_a_failing_error_test_is_an_error_check_naming_what_it_holds(tests_by_name) -> None:
    failed = dg.AssetCheckResult(
        passed=False,
        asset_key=dg.AssetKey(["recon", "breaks"]),
        check_name="unique_breaks_break_id",
        severity=dg.AssetCheckSeverity.WARN,
        metadata={"dagster_dbt/failed_row_count": 3},
    )
    result = with_posttrade_severity(failed, tests_by_name)
    assert result.severity == dg.AssetCheckSeverity.ERROR
    assert result.metadata["dagster_dbt/failed_row_count"].value == 3
    assert result.metadata["posttrade/holds_writeback"].value == "arm, ctm, custodian, oms"
    warned = failed._replace(check_name="not_empty_dim_instruments_")
    assert with_posttrade_severity(warned, tests_by_name) is warned
