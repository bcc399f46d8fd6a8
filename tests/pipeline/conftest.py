"""A generated world shared by the pipeline tests, and the pipeline run over it once per
warehouse (DuckDB and PostgreSQL) for every module that needs it."""

from __future__ import annotations

import json

import pytest

from posttrade.pipeline import PipelineRun, run_pipeline
from posttrade.settings import WarehouseSettings
from sandbox.generator import generate
from tests.pipeline.ground_truth import World

WORLD_SEED = 11
WORLD_TRADES = 240
WORLD_DAYS = 3


@pytest.fixture(scope="session")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    out = tmp_path_factory.mktemp("world")
    generate(out, seed=WORLD_SEED, trades=WORLD_TRADES, days=WORLD_DAYS)
    return World(out, json.loads((out / "ground_truth.json").read_text()))


@pytest.fixture(scope="session")
def duckdb_settings(tmp_path_factory: pytest.TempPathFactory) -> WarehouseSettings:
    return WarehouseSettings("duckdb", tmp_path_factory.mktemp("wh") / "warehouse.duckdb")


@pytest.fixture(scope="session")
def first_run(world: World, duckdb_settings: WarehouseSettings) -> PipelineRun:
    """The pipeline over the world on DuckDB."""
    run = run_pipeline(world.inbox, duckdb_settings)
    assert run.success, f"pipeline failed at {run.failed_steps}"
    return run


@pytest.fixture(scope="session")
def postgres_settings(postgres_dsn: str, world: World) -> WarehouseSettings:
    """The pipeline over the world on PostgreSQL."""
    settings = WarehouseSettings("postgres", pg_dsn=postgres_dsn)
    run = run_pipeline(world.inbox, settings)
    assert run.success, f"pipeline failed at {run.failed_steps}"
    return settings
