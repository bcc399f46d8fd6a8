"""The whole pipeline on DuckDB, from platform files to recon.breaks, against the ground truth."""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from posttrade.breaks_export import BREAK_COLUMNS
from posttrade.cli import main
from posttrade.pipeline import run_pipeline
from posttrade.settings import DBT_PROJECT_DIR, WarehouseSettings
from posttrade.warehouse_query import fetch
from tests.pipeline.ground_truth import (
    BREAKS_SQL,
    IMPLEMENTED_RECONS,
    World,
    assert_breaks_match_ground_truth,
    expected_raw_counts,
    raw_counts,
)


def scalar(settings: WarehouseSettings, sql: str):
    return fetch(settings, sql)[1][0][0]


def test_breaks_equal_ground_truth(first_run, world: World, duckdb_settings) -> None:
    _, rows = fetch(duckdb_settings, BREAKS_SQL)
    assert_breaks_match_ground_truth(rows, world)


def test_breaks_command_prints_every_break_as_json(
    first_run, world: World, duckdb_settings: WarehouseSettings, capsys: pytest.CaptureFixture
) -> None:
    status = main(["breaks", "--warehouse", str(duckdb_settings.duckdb_path), "--format", "json"])
    assert status == 0
    records = json.loads(capsys.readouterr().out)
    assert len(records) == len(world.expected_breaks())
    assert set(records[0]) == set(BREAK_COLUMNS)
    assert {r["status"] for r in records} == {"open"}


def test_every_break_type_was_exercised(first_run, world: World) -> None:
    """The world exercises every break type the implemented recons can raise (the
    break_types seed), so the ground-truth comparison above leaves none untested."""
    seed = DBT_PROJECT_DIR / "seeds" / "break_types.csv"
    with seed.open(newline="") as rows:
        raisable = {
            row["break_type"] for row in csv.DictReader(rows) if row["recon"] in IMPLEMENTED_RECONS
        }
    assert {key[1] for key in world.expected_breaks()} == raisable


def test_marts_reconcile_to_the_platform_files(first_run, world: World, duckdb_settings) -> None:
    s = duckdb_settings
    assert scalar(
        s, "select count(*) from marts.fct_trades where trade_status = 'active'"
    ) == world.count("trades")
    net_quantity = sum(Decimal(d["net_quantity"]) for d in world.ground_truth["counts"].values())
    assert scalar(s, "select sum(quantity) from marts.fct_trades") == net_quantity
    assert scalar(s, "select count(*) from marts.fct_allocations where is_current") == world.count(
        "allocation_lines"
    )


def test_every_file_is_archived_and_every_row_is_in_the_lake(
    first_run, world: World, duckdb_settings: WarehouseSettings, private_data_dir: Path
) -> None:
    delivered = {p.read_bytes() for p in world.inbox.glob("*/*") if p.is_file()}
    archived = {p.read_bytes() for p in (private_data_dir / "landing").glob("*/*/*")}
    assert delivered <= archived
    lake = private_data_dir / "lake" / "oms_execution_reports"
    lake_rows = duckdb.sql(
        f"select count(*) from read_parquet('{lake}/*/*.parquet', hive_partitioning = true)"
    ).fetchall()[0][0]
    assert lake_rows == scalar(duckdb_settings, "select count(*) from raw.oms_execution_reports")


def test_every_platform_message_lands_in_raw(
    first_run, world: World, duckdb_settings: WarehouseSettings
) -> None:
    assert raw_counts(duckdb_settings) == expected_raw_counts(world)
    assert scalar(duckdb_settings, "select count(*) from marts.fct_settlement_instructions") == (
        world.count("settlement_instructions")
    )


def test_busted_and_corrected_fills_are_netted(first_run, world: World, duckdb_settings) -> None:
    s = duckdb_settings
    assert scalar(s, "select sum(busted_fill_count) from marts.fct_trades") == world.count("busts")
    assert scalar(
        s, "select count(*) from intermediate.int_executions_netted where correction_count > 0"
    ) == world.count("corrections")


def test_rerun_loads_nothing_twice(
    first_run, world: World, duckdb_settings: WarehouseSettings
) -> None:
    before = scalar(duckdb_settings, "select count(*) from raw.oms_execution_reports")
    breaks_before = fetch(duckdb_settings, BREAKS_SQL)[1]
    again = run_pipeline(world.inbox, duckdb_settings)
    assert again.success
    assert scalar(duckdb_settings, "select count(*) from raw.oms_execution_reports") == before
    assert sorted(fetch(duckdb_settings, BREAKS_SQL)[1]) == sorted(breaks_before)


def test_resent_bytes_add_nothing_and_a_broken_file_is_quarantined(
    first_run, world: World, duckdb_settings: WarehouseSettings, tmp_path: Path
) -> None:
    inbox = tmp_path / "inbox"
    (inbox / "oms").mkdir(parents=True)
    source = sorted((world.inbox / "oms").iterdir())[0]
    (inbox / "oms" / "resent_copy.txt").write_bytes(source.read_bytes())
    (inbox / "oms" / "broken.fix").write_bytes(b"this is not a FIX message\n")
    before = scalar(duckdb_settings, "select count(*) from raw.oms_execution_reports")

    run = run_pipeline(inbox, duckdb_settings)

    assert run.success, "a malformed file must not stop the run"
    assert scalar(duckdb_settings, "select count(*) from raw.oms_execution_reports") == before
    _, quarantined = fetch(
        duckdb_settings,
        "select platform, reason from raw.quarantine where source_file = 'oms/broken.fix'",
    )
    assert len(quarantined) == 1
    assert quarantined[0][0] == "oms" and quarantined[0][1]
    assert (
        scalar(
            duckdb_settings,
            "select status from raw.ingested_files where source_file = 'oms/broken.fix'",
        )
        == "quarantined"
    )
