"""A report definition that names an unknown column or carries a malicious value is refused
with a clear message before any SQL runs."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from posttrade.dbt_manifest import prepare_manifest
from posttrade.reports import runner
from posttrade.reports.spec import ReportError
from posttrade.reports.sql import build_sql
from posttrade.settings import WarehouseSettings

GOOD = {
    "mart": "analytics.fct_settlement_fails",
    "dimensions": ["counterparty_name"],
    "measures": [{"name": "fails", "agg": "count"}],
    "filters": [{"column": "intended_settlement_date", "op": ">=", "value": "2026-11-01"}],
}


@pytest.fixture(scope="module")
def manifest() -> Path:
    return prepare_manifest()


def _run(tmp_path: Path, manifest: Path, monkeypatch: pytest.MonkeyPatch, **changes) -> Path:
    def no_sql(*args, **kwargs):
        raise AssertionError("SQL ran for a report that should have been refused")

    monkeypatch.setattr(runner, "fetch", no_sql)
    definition = tmp_path / "custom.yml"
    definition.write_text(yaml.safe_dump({**GOOD, **changes}))
    return runner.run_report(
        str(definition),
        WarehouseSettings("duckdb", tmp_path / "none.duckdb"),
        "csv",
        tmp_path,
        manifest,
    )


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"dimensions": ["counterparty_nam"]}, "'counterparty_nam' is not a column of"),
        (
            {"dimensions": ["reason_code; drop table recon.breaks"]},
            "not a plain lower-case identifier",
        ),
        ({"mart": "analytics.fct_nothing"}, "is not a model of the dbt manifest"),
        ({"mart": "raw.oms_execution_reports"}, "is not a model of the dbt manifest"),
        (
            {
                "filters": [
                    {
                        "column": "intended_settlement_date",
                        "op": "=",
                        "value": "2026-11-26'; drop table x; --",
                    }
                ]
            },
            "is not an ISO date",
        ),
        (
            {"filters": [{"column": "fail_amount", "op": ">", "value": "1 or 1=1"}]},
            "is not a number",
        ),
        (
            {"filters": [{"column": "reason_code", "op": "= ? or 1=1 --", "value": "LACK"}]},
            "is not one of",
        ),
        (
            {"filters": [{"column": "reason_code", "op": "=", "value": "LACK\x00' or '1'='1"}]},
            "control characters",
        ),
        ({"measures": [{"name": "n", "agg": "sum(1); --", "column": "fail_days"}]}, "agg"),
        ({"sort": ["fail_amount desc; drop table x"]}, "must name one of the report's columns"),
        ({"limit": "10; drop table x"}, "positive integer"),
    ],
    ids=[
        "unknown-column",
        "identifier-injection",
        "unknown-mart",
        "raw-schema",
        "date-value-injection",
        "number-value-injection",
        "operator-injection",
        "control-characters",
        "aggregate-injection",
        "sort-injection",
        "limit-injection",
    ],
)
def test_bad_definitions_are_refused_before_any_sql(
    tmp_path: Path, manifest: Path, monkeypatch: pytest.MonkeyPatch, changes, message: str
) -> None:
    with pytest.raises(ReportError) as refused:
        _run(tmp_path, manifest, monkeypatch, **changes)
    assert message in str(refused.value)


def test_text_values_are_bound_as_parameters_never_spliced(manifest: Path, tmp_path: Path) -> None:
    from posttrade.reports.spec import load_report

    definition = tmp_path / "quoted.yml"
    hostile = "O'Brien' or '1'='1"
    definition.write_text(
        yaml.safe_dump(
            {**GOOD, "filters": [{"column": "counterparty_name", "op": "in", "value": [hostile]}]}
        )
    )
    sql, params = build_sql(load_report(definition, manifest))
    assert hostile not in sql and "O'Brien" not in sql
    assert params == [hostile]


@pytest.mark.parametrize("name", sorted(p.stem for p in runner.REPORTS_DIR.glob("*.yml")))
def test_shipped_reports_pass_the_checks(manifest: Path, name: str) -> None:
    from posttrade.reports.spec import load_report

    spec = load_report(runner.report_path(name), manifest)
    assert spec.measures and build_sql(spec)[0].startswith("select ")
