"""Shared fixtures: telemetry off, a private Dagster home, PostgreSQL when available."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from posttrade.settings import dbt_postgres_env
from posttrade.telemetry import disable_telemetry

disable_telemetry()


@pytest.fixture(scope="session", autouse=True)
def private_dagster_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Test runs go to a throwaway Dagster instance, not the developer's .dagster/."""
    home = tmp_path_factory.mktemp("dagster_home")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DAGSTER_HOME", str(home))
        yield home


@pytest.fixture(scope="session", autouse=True)
def private_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The raw archive and the Parquet lake of test runs go to a throwaway folder."""
    data_dir = tmp_path_factory.mktemp("data")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("POSTTRADE_DATA_DIR", str(data_dir))
        yield data_dir


def _unavailable(reason: str) -> None:
    if os.environ.get("POSTTRADE_REQUIRE_PG") == "1":
        pytest.fail(f"POSTTRADE_REQUIRE_PG=1 but {reason}")
    pytest.skip(f"PostgreSQL tests skipped: {reason} (set POSTTRADE_PG_DSN)")


@contextmanager
def fresh_postgres_database() -> Iterator[str]:
    """A new, empty PostgreSQL database (its DSN), dropped afterwards; skips (or fails with
    POSTTRADE_REQUIRE_PG=1) when no server is reachable."""
    server_dsn = os.environ.get("POSTTRADE_PG_DSN")
    if not server_dsn:
        _unavailable("POSTTRADE_PG_DSN is not set")
    import psycopg

    try:
        admin = psycopg.connect(server_dsn, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as error:
        _unavailable(f"cannot connect to {server_dsn}: {error}")
    database = f"posttrade_test_{uuid.uuid4().hex[:12]}"
    with admin:
        admin.execute(f'create database "{database}"')
        parts = dbt_postgres_env(server_dsn)
        password = parts["POSTTRADE_PG_PASSWORD"]
        auth = parts["POSTTRADE_PG_USER"] + (f":{password}" if password else "")
        try:
            yield (
                f"postgresql://{auth}@{parts['POSTTRADE_PG_HOST']}:"
                f"{parts['POSTTRADE_PG_PORT']}/{database}"
            )
        finally:
            admin.execute(f'drop database if exists "{database}" with (force)')


@pytest.fixture(scope="session")
def postgres_dsn() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for this test session, dropped afterwards."""
    with fresh_postgres_database() as dsn:
        yield dsn
