"""Loads canonical frames into a DuckDB file (the embedded default warehouse)."""

from __future__ import annotations

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

    def _write_file(self, file_sha256: str, frames: dict[str, pl.DataFrame]) -> None:
        connection = self.connection
        connection.execute("begin transaction")
        try:
            for table, frame in frames.items():
                connection.execute(
                    f"delete from {qualified(table)} where file_sha256 = ?", [file_sha256]
                )
                if frame.height:
                    columns = ", ".join(frame.columns)
                    connection.register("incoming_frame", frame.to_arrow())
                    connection.execute(
                        f"insert into {qualified(table)} ({columns}) "
                        f"select {columns} from incoming_frame"
                    )
                    connection.unregister("incoming_frame")
            connection.execute("commit")
        except Exception:
            connection.execute("rollback")
            raise

    def query(self, sql: str) -> list[tuple]:
        return self.connection.execute(sql).fetchall()

    def close(self) -> None:
        self.connection.close()
