"""Warehouse loaders: canonical frames into raw.* of DuckDB or PostgreSQL."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from loaders.base import WarehouseLoader
    from posttrade.settings import WarehouseSettings


def open_loader(settings: WarehouseSettings) -> WarehouseLoader:
    """A loader for the configured warehouse (imports only the driver it needs)."""
    if settings.target == "postgres":
        from loaders.postgres_loader import PostgresLoader

        return PostgresLoader(settings.pg_dsn or "")
    from loaders.duckdb_loader import DuckDBLoader

    return DuckDBLoader(settings.duckdb_path)
