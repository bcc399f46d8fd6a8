"""A five-day world run through the whole pipeline, on DuckDB and on PostgreSQL."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from posttrade.pipeline import run_pipeline
from posttrade.settings import WarehouseSettings
from sandbox.generator import generate
from tests.analytics.expected import WorldFiles

SEED, TRADES, DAYS = 11, 240, 5


@pytest.fixture(scope="session")
def world5(tmp_path_factory: pytest.TempPathFactory) -> WorldFiles:
    out = tmp_path_factory.mktemp("world5")
    generate(out, seed=SEED, trades=TRADES, days=DAYS)
    return WorldFiles(out, json.loads((out / "ground_truth.json").read_text()))


def _run_with_own_data_dir(world: WorldFiles, settings: WarehouseSettings, data_dir: Path) -> None:
    """The five-day world's archive, lake and reports stay apart from the session's, which
    the pipeline tests compare with their own three-day world."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("POSTTRADE_DATA_DIR", str(data_dir))
        run = run_pipeline(world.inbox, settings)
    assert run.success, f"pipeline failed on {settings.target} at {run.failed_steps}"


@pytest.fixture(scope="session")
def analytics_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("data5")


@pytest.fixture(scope="session")
def analytics_duckdb(
    world5: WorldFiles, tmp_path_factory: pytest.TempPathFactory, analytics_data_dir: Path
) -> WarehouseSettings:
    settings = WarehouseSettings("duckdb", tmp_path_factory.mktemp("wh5") / "warehouse.duckdb")
    _run_with_own_data_dir(world5, settings, analytics_data_dir)
    return settings


@pytest.fixture(scope="session")
def analytics_postgres(
    world5: WorldFiles, postgres_dsn: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[WarehouseSettings]:
    """A database of its own beside the session's, so the pipeline tests' world stays apart."""
    import psycopg

    server, _, _ = postgres_dsn.rpartition("/")
    database = f"posttrade_analytics_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(postgres_dsn, autocommit=True) as admin:
        admin.execute(f'create database "{database}"')
    settings = WarehouseSettings("postgres", pg_dsn=f"{server}/{database}")
    _run_with_own_data_dir(world5, settings, tmp_path_factory.mktemp("data5pg"))
    yield settings
    with psycopg.connect(postgres_dsn, autocommit=True) as admin:
        admin.execute(f'drop database if exists "{database}" with (force)')


@pytest.fixture(scope="session", params=["duckdb", "postgres"])
def warehouse(request: pytest.FixtureRequest) -> WarehouseSettings:
    return request.getfixturevalue(f"analytics_{request.param}")
