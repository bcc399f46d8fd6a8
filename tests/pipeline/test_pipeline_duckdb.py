"""The whole pipeline on DuckDB, from platform files to recon.breaks, against the ground truth."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from posttrade.breaks_export import BREAK_COLUMNS
from posttrade.cli import main
from posttrade.dbt_manifest import dbt_executable
from posttrade.pipeline import run_pipeline
from posttrade.settings import DBT_PROJECT_DIR, PROJECT_ROOT, WarehouseSettings
from posttrade.warehouse_query import fetch
from tests.pipeline.as_of import assert_as_of_returns_trades_before_their_correction
from tests.pipeline.conftest import FIRST_RUN_DAYS, StagedRuns
from tests.pipeline.ground_truth import (
    BREAKS_SQL,
    EXERCISED_ELSEWHERE,
    IMPLEMENTED_RECONS,
    LIFECYCLE_SQL,
    World,
    assert_breaks_match_ground_truth,
    assert_lifecycle_matches_ground_truth,
    expected_raw_counts,
    format_recall_precision,
    raw_counts,
    recall_precision_table,
)


def scalar(settings: WarehouseSettings, sql: str):
    return fetch(settings, sql)[1][0][0]


def test_breaks_equal_ground_truth(first_run, world: World, duckdb_settings) -> None:
    _, rows = fetch(duckdb_settings, BREAKS_SQL)
    print("\n" + format_recall_precision(recall_precision_table(rows, world)))
    assert_breaks_match_ground_truth(rows, world)


def test_breaks_end_on_the_day_and_by_the_event_the_platforms_show(
    first_run, world: World, duckdb_settings
) -> None:
    _, rows = fetch(duckdb_settings, LIFECYCLE_SQL)
    assert_lifecycle_matches_ground_truth(rows, world)


def test_a_persisting_break_keeps_its_id_and_first_seen_date_and_ages(
    first_run: StagedRuns, duckdb_settings
) -> None:
    before = {row[4]: row for row in first_run.breaks_after_first_days}
    after = {row[4]: row for row in fetch(duckdb_settings, LIFECYCLE_SQL)[1]}
    assert set(before) <= set(after), "a break seen on an earlier day vanished"
    for break_id, early in before.items():
        late = after[break_id]
        assert late[:4] == early[:4], f"{break_id}: another difference took the id"
        assert late[5] == early[5], f"{early[:4]}: first_seen_date changed"
        if early[7] == "open" and late[7] == "open":
            assert late[6] > early[6], f"{early[:4]}: an open break did not age"
    reopened = [k for k in before if before[k][7] == "auto-resolved" and after[k][7] == "open"]
    assert not reopened
    closed_later = [k for k in before if before[k][7] == "open" and after[k][7] == "auto-resolved"]
    assert closed_later, "the later days resolve none of the first days' breaks"


def test_break_history_keeps_every_version_of_a_break(
    first_run: StagedRuns, duckdb_settings
) -> None:
    """A break open after the first run and resolved by the later days keeps both versions."""
    open_then = {row[4] for row in first_run.breaks_after_first_days if row[7] == "open"}
    _, versions = fetch(
        duckdb_settings,
        "select b.break_id, h.status, h.dbt_valid_to is null from recon.breaks as b "
        "inner join recon.break_history as h on b.break_id = h.break_id "
        "where b.status = 'auto-resolved' order by h.dbt_valid_from",
    )
    histories: dict[str, list[tuple[str, bool]]] = {}
    for break_id, status, is_current in versions:
        histories.setdefault(break_id, []).append((status, is_current))
    resolved_since = [histories[b] for b in histories if b in open_then]
    assert resolved_since, "no break of the first days was resolved later"
    for history in resolved_since:
        assert history[0] == ("open", False) and history[-1] == ("auto-resolved", True)


def test_breaks_command_prints_every_break_as_json(
    first_run, world: World, duckdb_settings: WarehouseSettings, capsys: pytest.CaptureFixture
) -> None:
    status = main(["breaks", "--warehouse", str(duckdb_settings.duckdb_path), "--format", "json"])
    assert status == 0
    records = json.loads(capsys.readouterr().out)
    assert len(records) == len(world.expected_breaks())
    assert set(records[0]) == set(BREAK_COLUMNS)
    assert {r["status"] for r in records} == {"open", "auto-resolved"}


def test_every_break_type_was_exercised(first_run, world: World) -> None:
    """The world exercises every break type the implemented recons can raise (the
    break_types seed), so the ground-truth comparison above leaves none untested; a type a
    whole world cannot raise is exercised by the test EXERCISED_ELSEWHERE names."""
    seed = DBT_PROJECT_DIR / "seeds" / "break_types.csv"
    with seed.open(newline="") as rows:
        raisable = {
            row["break_type"] for row in csv.DictReader(rows) if row["recon"] in IMPLEMENTED_RECONS
        }
    assert {key[1] for key in world.expected_breaks()} == raisable - set(EXERCISED_ELSEWHERE)
    for break_type, test_file in EXERCISED_ELSEWHERE.items():
        assert break_type in (PROJECT_ROOT / test_file).read_text(), (break_type, test_file)


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
    # Other tests of the session (other warehouses) write to the same lake: count the rows
    # of the files this warehouse loaded.
    _, loaded = fetch(duckdb_settings, "select distinct file_sha256 from raw.oms_execution_reports")
    lake = private_data_dir / "lake" / "oms_execution_reports"
    lake_rows = duckdb.execute(
        f"select count(*) from read_parquet('{lake}/*/*.parquet', hive_partitioning = true) "
        "where file_sha256 in (select unnest(?))",
        [[sha256 for (sha256,) in loaded]],
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


def test_a_tolerance_changed_in_configuration_changes_the_breaks(
    first_run, duckdb_settings: WarehouseSettings, tmp_path: Path
) -> None:
    """Widening the price tolerance in the recon_tolerances seed, and nothing else, clears
    the price breaks on the next build and leaves the other recons' breaks as they were."""
    project = tmp_path / "dbt_project"
    shutil.copytree(
        DBT_PROJECT_DIR, project, ignore=shutil.ignore_patterns("target", "logs", ".user.yml")
    )
    seed = project / "seeds" / "recon_tolerances.csv"
    rows = seed.read_text().splitlines()
    price = next(n for n, row in enumerate(rows) if row.startswith("trade_vs_confirmation,price,"))
    rows[price] = "trade_vs_confirmation,price,*,0,0.05,widened by the test"
    seed.write_text("\n".join(rows) + "\n")
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copy2(duckdb_settings.duckdb_path, warehouse)
    before = fetch(duckdb_settings, BREAKS_SQL)[1]
    assert any(row[1] == "price_outside_tolerance" for row in before)

    built = subprocess.run(
        [dbt_executable(), "build", "--select", "recon_tolerances+", "--exclude", "test_type:data"],
        cwd=project,
        env={**os.environ, "POSTTRADE_TARGET": "duckdb", "POSTTRADE_DUCKDB_PATH": str(warehouse)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert built.returncode == 0, built.stdout[-3000:]

    after = fetch(WarehouseSettings("duckdb", warehouse), BREAKS_SQL)[1]
    assert not any(row[1] == "price_outside_tolerance" for row in after)
    others = {"settlement", "cash"}
    assert sorted(r for r in after if r[0] in others) == sorted(r for r in before if r[0] in others)


def test_as_of_query_returns_a_trade_before_its_correction(first_run, duckdb_settings) -> None:
    """The README's as-of query, run just before each correction, returns the trade as its
    original fills (the raw 35=8 150=F messages) made it, and the correction from then on."""
    assert assert_as_of_returns_trades_before_their_correction(duckdb_settings) > 0


def test_an_amendment_after_confirmation_reopens_exactly_the_affected_breaks(
    first_run: StagedRuns, world: World, duckdb_settings
) -> None:
    """A trade amended after its clean confirmation (on a later day) opens breaks on exactly
    the lines the amendment changed, with that root cause; before the amendment arrived,
    those lines had no break at all."""
    amended = {
        (b["trade_ref"], b["break_type"], b["field"], b["business_date"])
        for b in world.ground_truth["breaks"]
        if b["root_cause"] == "trade_amended_after_confirmation"
    }
    assert amended, "the world holds no amendment after confirmation"
    _, rows = fetch(
        duckdb_settings,
        "select trade_ref, break_type, field, cast(business_date as varchar), status "
        "from recon.breaks where root_cause = 'trade_amended_after_confirmation'",
    )
    assert {row[:4] for row in rows} == amended
    assert all(row[4] == "open" for row in rows)
    last_early_day = world.ground_truth["business_dates"][FIRST_RUN_DAYS - 1]
    later = {ref for ref, _, _, day in amended if day > last_early_day}
    assert later, "no amendment arrives after the first run's days"
    early_refs = {
        row[2] for row in first_run.breaks_after_first_days if row[0] == "trade_vs_confirmation"
    }
    assert not later & early_refs, "an amended line had a break before its amendment arrived"
