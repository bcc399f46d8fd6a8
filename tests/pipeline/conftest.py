"""A generated world shared by the pipeline tests, and the pipeline run over it once per
warehouse (DuckDB and PostgreSQL) for every module that needs it."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from posttrade.pipeline import PipelineRun, run_pipeline
from posttrade.settings import WarehouseSettings
from posttrade.warehouse_query import fetch
from sandbox.generator import generate
from tests.pipeline.ground_truth import LIFECYCLE_SQL, World

WORLD_SEED = 11
WORLD_TRADES = 240
WORLD_DAYS = 5
# The first run sees the world's first days only, as the desk did on that day.
FIRST_RUN_DAYS = 3


@pytest.fixture(scope="session")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    out = tmp_path_factory.mktemp("world")
    generate(out, seed=WORLD_SEED, trades=WORLD_TRADES, days=WORLD_DAYS)
    return World(out, json.loads((out / "ground_truth.json").read_text()))


@pytest.fixture(scope="session")
def duckdb_settings(tmp_path_factory: pytest.TempPathFactory) -> WarehouseSettings:
    return WarehouseSettings("duckdb", tmp_path_factory.mktemp("wh") / "warehouse.duckdb")


@dataclass(frozen=True)
class StagedRuns:
    """The warehouse run on the first days' files, then again with every day's files."""

    run: PipelineRun
    breaks_after_first_days: list[tuple]


def copy_first_days(world: World, days: int, inbox: Path) -> None:
    """The inbox as it stood after `days` business days: files are named by their date."""
    last = world.ground_truth["business_dates"][days - 1].replace("-", "")
    for path in world.inbox.glob("*/*"):
        if path.is_file() and path.name[:8] <= last:
            (inbox / path.parent.name).mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, inbox / path.parent.name / path.name)


@pytest.fixture(scope="session")
def first_run(
    world: World, duckdb_settings: WarehouseSettings, tmp_path_factory: pytest.TempPathFactory
) -> StagedRuns:
    """The pipeline on DuckDB as the desk runs it: after the first days, then after all."""
    early_inbox = tmp_path_factory.mktemp("early-inbox")
    copy_first_days(world, FIRST_RUN_DAYS, early_inbox)
    early = run_pipeline(early_inbox, duckdb_settings)
    assert early.success, f"pipeline failed at {early.failed_steps}"
    breaks_after_first_days = fetch(duckdb_settings, LIFECYCLE_SQL)[1]
    run = run_pipeline(world.inbox, duckdb_settings)
    assert run.success, f"pipeline failed at {run.failed_steps}"
    return StagedRuns(run, breaks_after_first_days)


@pytest.fixture(scope="session")
def postgres_settings(postgres_dsn: str, world: World) -> WarehouseSettings:
    """The pipeline over the world on PostgreSQL."""
    settings = WarehouseSettings("postgres", pg_dsn=postgres_dsn)
    run = run_pipeline(world.inbox, settings)
    assert run.success, f"pipeline failed at {run.failed_steps}"
    return settings
