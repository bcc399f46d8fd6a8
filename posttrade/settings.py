"""Where things are and which warehouse to use, read from the environment when asked.

Nothing here runs at import time: callers ask for `WarehouseSettings.from_env()` when they
need it, so tests and the CLI can set the environment first.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import unquote, urlparse

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
DATA_DIR = PROJECT_ROOT / "data"
DEFAULT_DUCKDB_PATH = DATA_DIR / "warehouse.duckdb"
DAGSTER_HOME = PROJECT_ROOT / ".dagster"

Target = Literal["duckdb", "postgres"]
TARGETS: tuple[Target, ...] = ("duckdb", "postgres")


class ConfigurationError(ValueError):
    """The environment or command line names something unusable."""


@dataclass(frozen=True)
class WarehouseSettings:
    """The warehouse the pipeline reads and writes: a DuckDB file or a PostgreSQL DSN."""

    target: Target = "duckdb"
    duckdb_path: Path = DEFAULT_DUCKDB_PATH
    pg_dsn: str | None = None

    @classmethod
    def from_env(cls) -> WarehouseSettings:
        target = os.environ.get("POSTTRADE_TARGET", "duckdb")
        if target not in TARGETS:
            raise ConfigurationError(
                f"POSTTRADE_TARGET={target!r}: expected one of {', '.join(TARGETS)}"
            )
        duckdb_path = Path(os.environ.get("POSTTRADE_DUCKDB_PATH", DEFAULT_DUCKDB_PATH))
        settings = cls(
            target=target,  # type: ignore[arg-type]
            duckdb_path=duckdb_path.resolve(),
            pg_dsn=os.environ.get("POSTTRADE_PG_DSN") or None,
        )
        settings.validate()
        return settings

    def validate(self) -> None:
        if self.target == "postgres" and not self.pg_dsn:
            raise ConfigurationError(
                "target postgres needs POSTTRADE_PG_DSN, e.g. "
                "postgresql://postgres@127.0.0.1:5432/postgres"
            )

    def describe(self) -> str:
        if self.target == "duckdb":
            return f"DuckDB file {self.duckdb_path}"
        return f"PostgreSQL {redact_dsn(self.pg_dsn or '')}"

    def to_env(self) -> dict[str, str]:
        """Environment for child processes (dbt reads its profile from these)."""
        env = {"POSTTRADE_TARGET": self.target, "POSTTRADE_DUCKDB_PATH": str(self.duckdb_path)}
        if self.pg_dsn:
            env["POSTTRADE_PG_DSN"] = self.pg_dsn
            env.update(dbt_postgres_env(self.pg_dsn))
        return env


def dbt_postgres_env(dsn: str) -> dict[str, str]:
    """Split a PostgreSQL DSN (URL or key=value form) into the variables profiles.yml reads."""
    if "://" in dsn:
        url = urlparse(dsn)
        parts = {
            "host": url.hostname or "127.0.0.1",
            "port": str(url.port or 5432),
            "user": unquote(url.username or "postgres"),
            "password": unquote(url.password or ""),
            "dbname": (url.path or "/postgres").lstrip("/") or "postgres",
        }
    else:
        pairs = dict(item.split("=", 1) for item in dsn.split() if "=" in item)
        parts = {
            "host": pairs.get("host", "127.0.0.1"),
            "port": pairs.get("port", "5432"),
            "user": pairs.get("user", "postgres"),
            "password": pairs.get("password", ""),
            "dbname": pairs.get("dbname", "postgres"),
        }
    return {f"POSTTRADE_PG_{key.upper()}": value for key, value in parts.items()}


def redact_dsn(dsn: str) -> str:
    """The DSN without its password, for messages and logs."""
    if "://" in dsn:
        url = urlparse(dsn)
        if url.password:
            return dsn.replace(f":{url.password}@", ":***@")
        return dsn
    return " ".join(
        "password=***" if item.startswith("password=") else item for item in dsn.split()
    )


def apply_to_environment(settings: WarehouseSettings) -> None:
    """Make these settings the process's own, so dbt and Dagster resources see them."""
    os.environ.update(settings.to_env())
