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
# What the desk sees of settlement: each instruction's statuses in event order, and its state.
STATUS_EVENTS_SQL = """
    select instruction_ref, event_sequence, event_type, processing_status, matching_status,
        settlement_status, reason_codes, settled_quantity, event_at, business_date
    from marts.fct_settlement_events order by instruction_ref, event_sequence
"""
SETTLEMENTS_SQL = "select * from marts.fct_settlements order by instruction_ref"


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


def test_out_of_order_status_messages_change_no_status_and_no_break(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Statuses are ordered by their event time, never by arrival: custodian status files
    delivered newest first, each with its messages reversed, give the same settlement
    events, settlement states and breaks as the file drop in its own order."""
    monkeypatch.setenv("POSTTRADE_PLATFORM_TOKEN", "sandbox-token")
    in_order = WarehouseSettings("duckdb", tmp_path / "in_order.duckdb")
    assert run_pipeline(world.inbox, in_order).success
    shuffled = WarehouseSettings("duckdb", tmp_path / "out_of_order.duckdb")
    with serve(world.inbox, token="sandbox-token", faults="out_of_order", seed=5) as server:
        run = run_pipeline(PlatformSource(url=server.url), shuffled)
    assert run.success, f"pipeline failed at {run.failed_steps}"
    for sql in (STATUS_EVENTS_SQL, SETTLEMENTS_SQL, BREAKS_SQL):
        columns, expected = fetch(in_order, sql)
        got_columns, got = fetch(shuffled, sql)
        assert got_columns == columns and sorted(got, key=repr) == sorted(expected, key=repr), sql
    _, breaks = fetch(shuffled, BREAKS_SQL)
    assert_breaks_match_ground_truth(breaks, world)
