"""Loads canonical frames into a DuckDB file (the embedded default warehouse)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import polars as pl

from loaders.base import WarehouseLoader, qualified
from loaders.ddl import LEDGER_TABLE, raw_ddl


class DuckDBLoader(WarehouseLoader):
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.connection = duckdb.connect(str(path))

    def ensure_raw_schema(self) -> None:
        for statement in raw_ddl():
            self.connection.execute(statement)

    def is_ingested(self, file_sha256: str) -> bool:
        found = self.connection.execute(
            f"select 1 from {qualified(LEDGER_TABLE)} where file_sha256 = ?", [file_sha256]
        ).fetchone()
        return found is not None

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        self.connection.execute("begin transaction")
        try:
            yield
        except BaseException:
            self.connection.execute("rollback")
            raise
        self.connection.execute("commit")

    def _delete(self, table: str, file_sha256: str) -> None:
        self.connection.execute(
            f"delete from {qualified(table)} where file_sha256 = ?", [file_sha256]
        )

    def _insert(self, table: str, frame: pl.DataFrame) -> None:
        columns = ", ".join(frame.columns)
        self.connection.register("incoming_frame", frame.to_arrow())
        try:
            self.connection.execute(
                f"insert into {qualified(table)} ({columns}) select {columns} from incoming_frame"
            )
        finally:
            self.connection.unregister("incoming_frame")

    def query(self, sql: str) -> list[tuple]:
        return self.connection.execute(sql).fetchall()

    def _refresh_statistics(self, tables: list[str]) -> None:
        del tables  # DuckDB keeps its statistics up to date as it writes

    def close(self) -> None:
        self.connection.close()
