"""The Dagster code location loads, joins lineage from raw files to breaks, and validates."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pytest

from orchestration.defs.ingestion import QUARANTINE_CHECK
from orchestration.defs.jobs import PIPELINE_JOB
from posttrade.dbt_manifest import prepare_manifest
from posttrade.settings import PROJECT_ROOT


@pytest.fixture(scope="module")
def definitions(tmp_path_factory: pytest.TempPathFactory) -> dg.Definitions:
    prepare_manifest()
    os.environ.setdefault("POSTTRADE_INBOX", str(tmp_path_factory.mktemp("inbox")))
    from orchestration.definitions import build_definitions

    return build_definitions()


def test_pipeline_job_and_resources_resolve(definitions: dg.Definitions) -> None:
    job = definitions.resolve_job_def(PIPELINE_JOB)
    assert job is not None
    assert {"warehouse", "platforms", "raw_storage", "dbt"} <= set(definitions.resources or {})
    sensors = {sensor.name for sensor in definitions.sensors or []}
    assert {"oms_arrivals", "ctm_arrivals"} <= sensors


def test_lineage_runs_from_raw_files_to_breaks(definitions: dg.Definitions) -> None:
    graph = definitions.resolve_asset_graph()
    breaks = dg.AssetKey(["recon", "breaks"])
    assert breaks in graph.get_all_asset_keys()
    upstream = graph.get(breaks).parent_keys
    ancestors: set[dg.AssetKey] = set()
    frontier = set(upstream)
    while frontier:
        key = frontier.pop()
        if key not in ancestors:
            ancestors.add(key)
            frontier |= set(graph.get(key).parent_keys)
    for raw_table in ("oms_execution_reports", "oms_allocations", "ctm_confirmations"):
        assert dg.AssetKey(["raw", raw_table]) in ancestors, raw_table
    for platform in ("oms", "ctm"):
        assert dg.AssetKey(["platform_files", platform]) in ancestors, platform
    assert dg.AssetKey(["marts", "fct_allocations"]) in ancestors


def test_dbt_tests_and_quarantine_are_asset_checks(definitions: dg.Definitions) -> None:
    graph = definitions.resolve_asset_graph()
    check_keys = graph.asset_check_keys
    assert dg.AssetCheckKey(dg.AssetKey(["raw", "oms_execution_reports"]), QUARANTINE_CHECK) in (
        check_keys
    )
    dbt_checks = [key for key in check_keys if key.asset_key.path[0] == "marts"]
    assert any(key.name.startswith("unique_fct_trades") for key in dbt_checks)


def test_dagster_definitions_validate_command_passes() -> None:
    dagster = Path(sys.executable).with_name("dagster")
    completed = subprocess.run(
        [str(dagster), "definitions", "validate", "-m", "orchestration.definitions"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr


def test_loads_under_dagster_dev_without_dbt_on_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """`dagster dev` from a console script has no venv on PATH: dbt must still be found."""
    from orchestration.definitions import build_definitions
    from orchestration.defs import transformation

    monkeypatch.setenv("DAGSTER_IS_DEV_CLI", "1")
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    transformation.dbt_project.cache_clear()
    try:
        definitions = build_definitions()
    finally:
        transformation.dbt_project.cache_clear()
    dbt = (definitions.resources or {})["dbt"]
    assert Path(dbt.dbt_executable).parent == Path(sys.executable).parent


def test_daily_operations_report_follows_the_analytics_marts(definitions: dg.Definitions) -> None:
    graph = definitions.resolve_asset_graph()
    report = dg.AssetKey(["reports", "daily_operations_report"])
    assert report in graph.get_all_asset_keys()
    parents = graph.get(report).parent_keys
    assert dg.AssetKey(["analytics", "fct_csdr_penalties"]) in parents
    assert parents <= graph.get_all_asset_keys() - {report}
    assert all(not graph.get(parent).is_external for parent in parents)
