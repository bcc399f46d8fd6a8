"""Dagster run and event storage: local SQLite files by default, PostgreSQL when configured."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import pytest

from posttrade.dagster_home import ensure_dagster_home


def _instance_storage(home: Path) -> tuple[str, str]:
    with dg.DagsterInstance.get() as instance:
        assert Path(instance.root_directory) == home
        return type(instance.run_storage).__name__, type(instance.event_log_storage).__name__


def test_local_files_by_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
    monkeypatch.delenv("POSTTRADE_DAGSTER_STORAGE", raising=False)
    ensure_dagster_home()
    run_storage, event_storage = _instance_storage(tmp_path)
    assert run_storage.startswith("Sqlite") and "Sqlite" in event_storage


def test_postgres_storage_when_configured(
    postgres_dsn: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
    monkeypatch.setenv("POSTTRADE_DAGSTER_STORAGE", "postgres")
    monkeypatch.setenv("POSTTRADE_PG_DSN", postgres_dsn)
    # Recorded first, so the URL ensure_dagster_home derives is undone after the test.
    monkeypatch.setenv("POSTTRADE_DAGSTER_PG_URL", "")
    monkeypatch.delenv("POSTTRADE_DAGSTER_PG_URL")
    ensure_dagster_home()
    assert postgres_dsn not in (tmp_path / "dagster.yaml").read_text(), "DSN kept out of file"
    run_storage, event_storage = _instance_storage(tmp_path)
    assert run_storage == "PostgresRunStorage"
    assert event_storage == "PostgresEventLogStorage"

    @dg.asset
    def probe() -> int:
        return 1

    with dg.DagsterInstance.get() as instance:
        result = dg.materialize([probe], instance=instance)
        assert result.success
        assert instance.get_run_by_id(result.run_id) is not None
