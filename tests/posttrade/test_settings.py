"""Warehouse settings: read from the environment, DSNs split for dbt, secrets redacted."""

from __future__ import annotations

from pathlib import Path

import pytest

from posttrade.settings import (
    ConfigurationError,
    WarehouseSettings,
    dbt_postgres_env,
    redact_dsn,
)


@pytest.mark.parametrize(
    ("dsn", "expected"),
    [
        (
            "postgresql://ops:s%40cret@db.example:6432/warehouse",
            ("db.example", "6432", "ops", "s@cret", "warehouse"),
        ),
        ("postgresql://postgres@127.0.0.1/test", ("127.0.0.1", "5432", "postgres", "", "test")),
        (
            "host=10.0.0.5 port=5433 user=etl password=pw dbname=prod",
            ("10.0.0.5", "5433", "etl", "pw", "prod"),
        ),
    ],
    ids=["url-with-password", "url-defaults", "key-value"],
)
def test_dsn_is_split_for_dbt_profile(dsn: str, expected: tuple[str, ...]) -> None:
    env = dbt_postgres_env(dsn)
    keys = ("HOST", "PORT", "USER", "PASSWORD", "DBNAME")
    assert tuple(env[f"POSTTRADE_PG_{key}"] for key in keys) == expected


def test_redacted_dsn_hides_password() -> None:
    assert "s3cr3t" not in redact_dsn("postgresql://ops:s3cr3t@db:5432/x")
    assert "s3cr3t" not in redact_dsn("host=db password=s3cr3t")


def test_from_env_defaults_to_duckdb(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("POSTTRADE_TARGET", raising=False)
    monkeypatch.setenv("POSTTRADE_DUCKDB_PATH", str(tmp_path / "w.duckdb"))
    settings = WarehouseSettings.from_env()
    assert settings.target == "duckdb"
    assert settings.duckdb_path == tmp_path / "w.duckdb"


def test_postgres_target_without_dsn_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POSTTRADE_TARGET", "postgres")
    monkeypatch.delenv("POSTTRADE_PG_DSN", raising=False)
    with pytest.raises(ConfigurationError, match="POSTTRADE_PG_DSN"):
        WarehouseSettings.from_env()


def test_unknown_target_is_rejected(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POSTTRADE_TARGET", "oracle")
    with pytest.raises(ConfigurationError, match="oracle"):
        WarehouseSettings.from_env()
