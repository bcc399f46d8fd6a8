"""Great Expectations suites (quality/) as Dagster asset checks on the data that matter."""

import dagster as dg

from orchestration.resources import WarehouseResource

# check name -> (asset it guards, suite in quality.suites)
QUALITY_CHECKS = {
    "gx_settlement_amounts": (["marts", "fct_settlement_events"], "settlement_amounts"),
    "gx_isin_validity": (["raw", "refdata_instruments"], "isin_validity"),
    "gx_status_transitions": (["marts", "fct_settlement_events"], "status_transitions"),
}


def build_quality_check(name: str, asset: list[str], suite_name: str) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=dg.AssetKey(asset),
        name=name,
        description=f"Great Expectations suite `{suite_name}` (quality/suites.py).",
    )
    def quality_check(warehouse: WarehouseResource) -> dg.AssetCheckResult:
        # Imported here: great_expectations takes seconds to import, code loading does not wait.
        from posttrade.warehouse_query import fetch
        from quality.suites import SUITES, validate

        suite = SUITES[suite_name]
        columns, rows = fetch(warehouse.settings(), suite.sql)
        outcome = validate(suite, columns, rows)
        return dg.AssetCheckResult(
            passed=outcome.success,
            metadata={
                "rows_validated": outcome.rows,
                "failed_expectations": ", ".join(outcome.failed_expectations) or "none",
                "unexpected_examples": ", ".join(outcome.unexpected_examples) or "none",
            },
        )

    return quality_check


def build_defs() -> dg.Definitions:
    return dg.Definitions(
        asset_checks=[build_quality_check(name, *spec) for name, spec in QUALITY_CHECKS.items()]
    )
