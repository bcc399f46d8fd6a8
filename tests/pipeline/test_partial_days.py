"""The pipeline on real days: some platforms deliver nothing, messages leave optional fields
out. Each test generates a small world with the sandbox's variation options, runs the whole
pipeline on DuckDB and compares recon.breaks with the world's ground truth, which says
exactly what a correct pipeline reports on such days (sandbox/README.md, "Variation")."""

from __future__ import annotations

import json
from pathlib import Path

from posttrade.pipeline import run_pipeline
from posttrade.settings import WarehouseSettings
from posttrade.warehouse_query import fetch
from sandbox.generator import generate
from tests.pipeline.ground_truth import (
    BREAKS_SQL,
    LIFECYCLE_SQL,
    World,
    assert_breaks_match_ground_truth,
    assert_lifecycle_matches_ground_truth,
    compared_break_types,
    format_recall_precision,
    recall_precision_table,
)

SEED = 5
TRADES = 40
DAYS = 3


def run_world(tmp_path: Path, **options: object) -> tuple[World, WarehouseSettings, list]:
    """A small world generated with `options`, the pipeline over it, its recon.breaks."""
    inbox = tmp_path / "inbox"
    generate(inbox, seed=SEED, trades=TRADES, days=DAYS, **options)
    world = World(inbox, json.loads((inbox / "ground_truth.json").read_text()))
    settings = WarehouseSettings("duckdb", tmp_path / "warehouse.duckdb")
    run = run_pipeline(inbox, settings)
    assert run.success, f"pipeline failed at {run.failed_steps}"
    _, rows = fetch(settings, BREAKS_SQL)
    print("\n" + format_recall_precision(recall_precision_table(rows, world)))
    return world, settings, rows


ROOT_CAUSES_SQL = (
    "select recon, break_type, cast(business_date as varchar), trade_ref, field, root_cause "
    "from recon.breaks"
)


def assert_as_labelled(world: World, settings: WarehouseSettings, rows: list) -> None:
    """The breaks, their values, root causes and ends are the ground truth's."""
    assert_breaks_match_ground_truth(rows, world)
    labelled = {
        (b["recon"], b["break_type"], b["business_date"], b["trade_ref"], b["field"]): b[
            "root_cause"
        ]
        for b in world.ground_truth["breaks"]
    }
    _, causes = fetch(settings, ROOT_CAUSES_SQL)
    wrong = [(r[:5], r[5], labelled[r[:5]]) for r in causes if labelled.get(r[:5], r[5]) != r[5]]
    assert not wrong, f"root causes differ (found, labelled): {wrong[:5]}"
    _, lifecycle = fetch(settings, LIFECYCLE_SQL)
    assert_lifecycle_matches_ground_truth(lifecycle, world)


def test_a_day_without_bank_ccp_arm_and_refdata(tmp_path: Path) -> None:
    world, settings, rows = run_world(tmp_path, platforms="oms,ctm,custodian")
    assert_as_labelled(world, settings, rows)


def test_a_day_with_the_oms_alone(tmp_path: Path) -> None:
    world, settings, rows = run_world(tmp_path, platforms="oms")
    assert_as_labelled(world, settings, rows)


def test_a_day_with_the_custodian_alone(tmp_path: Path) -> None:
    world, settings, rows = run_world(tmp_path, platforms="custodian")
    assert_as_labelled(world, settings, rows)
    # Every instruction it reports on is one nobody else told us of.
    assert any(row[1] == "unknown_instruction" for row in rows)


def test_a_day_of_messages_without_their_optional_fields(tmp_path: Path) -> None:
    world, settings, rows = run_world(tmp_path, omit_optional="all")
    assert_as_labelled(world, settings, rows)
    compared = compared_break_types()
    unstated = [r for r in rows if r[1] in compared and (r[5] is None or r[6] is None)]
    assert not unstated, f"compared with a value nobody sent: {unstated[:5]}"


def test_custodian_files_out_of_event_order(tmp_path: Path) -> None:
    """Each custodian file's messages shuffled: statuses take effect by their own event
    time, not by their place in the file."""
    world, settings, rows = run_world(tmp_path, shuffle_custodian=True)
    assert_as_labelled(world, settings, rows)
