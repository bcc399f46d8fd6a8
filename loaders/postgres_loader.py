"""Loads canonical frames into PostgreSQL with COPY (the production warehouse)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import polars as pl
import psycopg

from loaders.base import WarehouseLoader, qualified
from loaders.ddl import LEDGER_TABLE, raw_ddl


class PostgresLoader(WarehouseLoader):
    def __init__(self, dsn: str) -> None:
        self.connection = psycopg.connect(dsn, autocommit=False)

    def ensure_raw_schema(self) -> None:
        with self.connection.transaction(), self.connection.cursor() as cursor:
            for statement in raw_ddl():
                cursor.execute(statement)

    def is_ingested(self, file_sha256: str) -> bool:
        with self.connection.cursor() as cursor:
            cursor.execute(
                f"select 1 from {qualified(LEDGER_TABLE)} where file_sha256 = %s",
                [file_sha256],
            )
            found = cursor.fetchone()
        self.connection.rollback()
        return found is not None

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        with self.connection.transaction():
            yield

    def _delete(self, table: str, file_sha256: str) -> None:
        with self.connection.cursor() as cursor:
            cursor.execute(f"delete from {qualified(table)} where file_sha256 = %s", [file_sha256])

    def _insert(self, table: str, frame: pl.DataFrame) -> None:
        columns = ", ".join(frame.columns)
        # CSV keeps decimals exact as text; an unquoted empty field is NULL and Polars
        # quotes empty strings, so the two stay distinct.
        copy_sql = f"copy {qualified(table)} ({columns}) from stdin (format csv)"
        with self.connection.cursor() as cursor, cursor.copy(copy_sql) as copy:
            copy.write(frame.write_csv(include_header=False).encode())

    def _refresh_statistics(self, tables: list[str]) -> None:
        # A bulk COPY leaves the planner with no statistics until autovacuum gets to the
        # table: dbt's next queries then planned a 500k-row table as a few rows, and a
        # nested loop over it ran for many minutes at 100k trades.
        with self.connection.transaction(), self.connection.cursor() as cursor:
            for table in tables:
                cursor.execute(f"analyze {qualified(table)}")

    def query(self, sql: str) -> list[tuple]:
        with self.connection.cursor() as cursor:
            cursor.execute(sql)
            rows = cursor.fetchall()
        self.connection.rollback()
        return rows

    def close(self) -> None:
        self.connection.close()
