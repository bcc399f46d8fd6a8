"""Read-only queries against the configured warehouse (summaries, `posttrade breaks`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from posttrade.settings import WarehouseSettings


def fetch(
    settings: WarehouseSettings, sql: str, params: Sequence[Any] = ()
) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Column names and rows of one query; `?` marks a bound parameter on both warehouses."""
    if settings.target == "postgres":
        import psycopg

        with psycopg.connect(settings.pg_dsn or "") as connection:
            cursor = connection.execute(sql.replace("?", "%s"), list(params))
            columns = [column.name for column in cursor.description or []]
            return columns, cursor.fetchall()
    import duckdb

    if not settings.duckdb_path.exists():
        raise FileNotFoundError(
            f"no warehouse at {settings.duckdb_path}: run `posttrade demo` or `posttrade run`"
        )
    with duckdb.connect(str(settings.duckdb_path), read_only=True) as connection:
        cursor = connection.execute(sql, list(params))
        columns = [column[0] for column in cursor.description or []]
        return columns, cursor.fetchall()


def table_exists(settings: WarehouseSettings, schema: str, table: str) -> bool:
    _, rows = fetch(
        settings,
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
        [schema, table],
    )
    return bool(rows[0][0])
