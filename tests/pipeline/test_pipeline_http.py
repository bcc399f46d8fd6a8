"""The pipeline over the platforms' HTTP APIs (the sandbox, with faults injected): every file
arrives exactly once and the breaks are the same as over the file drop."""

from __future__ import annotations

from pathlib import Path

import pytest

from posttrade.pipeline import PlatformSource, run_pipeline
from posttrade.settings import WarehouseSettings
from posttrade.warehouse_query import fetch
from sandbox.server import serve
from tests.pipeline.ground_truth import BREAKS_SQL, World, assert_breaks_match_ground_truth

FAULTS = "429=0.15,500=0.1,503=0.05,truncate=0.1,cut=0.05,duplicate=0.3,reorder,retry_after=1"


def test_faulty_http_platforms_deliver_every_file_once(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("POSTTRADE_PLATFORM_TOKEN", "sandbox-token")
    settings = WarehouseSettings("duckdb", tmp_path / "warehouse.duckdb")
    with serve(world.inbox, token="sandbox-token", faults=FAULTS, seed=5) as server:
        run = run_pipeline(PlatformSource(url=server.url), settings)
        faults_seen = {r.fault for r in server.requests if r.fault}
    assert run.success, f"pipeline failed at {run.failed_steps}"
    assert {"429", "500", "truncate"} <= faults_seen, faults_seen

    delivered = sorted(p for p in world.inbox.glob("*/*") if p.is_file())
    _, ledger = fetch(
        settings, "select count(*), count(distinct file_sha256) from raw.ingested_files"
    )
    assert ledger[0] == (len(delivered), len(delivered)), "every file once, duplicates skipped"
    _, rows = fetch(settings, "select count(*) from raw.oms_execution_reports")
    assert rows[0][0] == world.count("execution_reports")
    _, breaks = fetch(settings, BREAKS_SQL)
    assert_breaks_match_ground_truth(breaks, world)
