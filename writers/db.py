"""One read-write connection to the warehouse (DuckDB or PostgreSQL), `?` parameters on both."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from posttrade.settings import WarehouseSettings


class WarehouseConnection:
    """Autocommit: each statement is durable when it returns (the outbox relies on it)."""

    def __init__(self, settings: WarehouseSettings, *, read_only: bool = False) -> None:
        self.target = settings.target
        if settings.target == "postgres":
            import psycopg

            # Kept for the stream's second connection: `info.dsn` leaves the password out.
            self._dsn = settings.pg_dsn or ""
            self._conn: Any = psycopg.connect(self._dsn, autocommit=True)
        else:
            import duckdb

            if read_only and not settings.duckdb_path.exists():
                raise FileNotFoundError(f"no warehouse at {settings.duckdb_path}")
            self._conn = duckdb.connect(str(settings.duckdb_path), read_only=read_only)

    def _sql(self, sql: str) -> str:
        return sql.replace("?", "%s") if self.target == "postgres" else sql

    def execute(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        cursor = self._conn.execute(self._sql(sql), list(params))
        return cursor.fetchall() if cursor.description else []

    def query_dicts(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        cursor = self._conn.execute(self._sql(sql), list(params))
        names = [column[0] for column in cursor.description or []]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def stream_dicts(
        self, sql: str, params: Sequence[Any] = (), chunk_rows: int = 10_000
    ) -> Iterator[list[dict[str, Any]]]:
        """The query's rows, as dicts, a chunk at a time (memory does not grow with the
        result). Read on a connection of their own, a snapshot taken when the query
        starts, so statements on this connection may run between chunks."""
        if self.target == "postgres":
            import psycopg

            with (
                psycopg.connect(self._dsn) as reader,
                reader.cursor(name="posttrade_stream") as cursor,
            ):
                cursor.execute(self._sql(sql), list(params))
                yield from _chunks_of_dicts(cursor, chunk_rows)
            return
        reader = self._conn.cursor()  # DuckDB: another connection to the same database
        try:
            yield from _chunks_of_dicts(reader.execute(sql, list(params)), chunk_rows)
        finally:
            reader.close()

    def lookup(self, table: str, key: str, value: str, keys: Sequence[Any]) -> dict[Any, Any]:
        """`key` -> `value` of the rows of `table` whose key is among `keys`."""
        if not keys:
            return {}
        if self.target == "postgres":
            rows = self.execute(
                f"select {key}, {value} from {table} where {key} = any(?)", [list(keys)]
            )
            return dict(rows)
        with self._registered([key], [(k,) for k in keys]) as frame:
            rows = self._conn.execute(
                f"select {table}.{key}, {table}.{value} from {table} "
                f"semi join {frame} on {table}.{key} = {frame}.{key}"
            ).fetchall()
        return dict(rows)

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if not rows:
            return
        if self.target == "postgres":
            with self._conn.cursor() as cursor:
                cursor.executemany(self._sql(sql), rows)
        else:
            self._conn.executemany(sql, rows)

    def insert_rows(
        self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]], suffix: str = ""
    ) -> None:
        """Many rows in one statement on DuckDB (its executemany runs row by row)."""
        if not rows:
            return
        names = ", ".join(columns)
        if self.target == "postgres":
            marks = ", ".join("?" for _ in columns)
            self.executemany(f"insert into {table} ({names}) values ({marks}) {suffix}", rows)
            return
        with self._registered(columns, rows) as frame:
            self._conn.execute(
                f"insert into {table} ({names}) select {names} from {frame} {suffix}"
            )

    def update_rows(
        self, table: str, key: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]
    ) -> None:
        """Set `columns` of the rows named by `key` (the last value of each row)."""
        if not rows:
            return
        if self.target == "postgres":
            sets = ", ".join(f"{c} = ?" for c in columns)
            self.executemany(f"update {table} set {sets} where {key} = ?", rows)
            return
        with self._registered([*columns, key], rows) as frame:
            sets = ", ".join(f"{c} = {frame}.{c}" for c in columns)
            self._conn.execute(
                f"update {table} set {sets} from {frame} where {table}.{key} = {frame}.{key}"
            )

    @contextmanager
    def _registered(self, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> Iterator[str]:
        import polars as pl

        frame = pl.DataFrame(
            [list(row) for row in rows],
            schema=list(columns),
            orient="row",
            infer_schema_length=None,
        )
        self._conn.register("_writeback_rows", frame)
        try:
            yield "_writeback_rows"
        finally:
            self._conn.unregister("_writeback_rows")

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Statements inside commit together (one commit, not one per row)."""
        self._conn.execute("begin")
        try:
            yield
        except BaseException:
            self._conn.execute("rollback")
            raise
        self._conn.execute("commit")

    def table_exists(self, schema: str, table: str) -> bool:
        rows = self.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = ? and table_name = ?",
            [schema, table],
        )
        return bool(rows[0][0])

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> WarehouseConnection:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _chunks_of_dicts(cursor: Any, chunk_rows: int) -> Iterator[list[dict[str, Any]]]:
    names: list[str] | None = None
    while rows := cursor.fetchmany(chunk_rows):
        # A server-side cursor describes its columns once the first rows are fetched.
        names = names or [column[0] for column in cursor.description]
        yield [dict(zip(names, row, strict=True)) for row in rows]
