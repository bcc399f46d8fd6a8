"""Raw-layer DDL for both warehouses, derived from the canonical schemas."""

from __future__ import annotations

import polars as pl

from extractors.schemas import QUARANTINE, RAW_TABLES

RAW_SCHEMA = "raw"

# The ingestion ledger: one row per file ingested, keyed by its content hash.
LEDGER_TABLE = "ingested_files"
LEDGER: dict[str, pl.DataType] = {
    "file_sha256": pl.String(),
    "platform": pl.String(),
    "source_file": pl.String(),
    "message_types": pl.String(),
    "business_dates": pl.String(),
    "message_count": pl.Int64(),
    "loaded_row_count": pl.Int64(),
    "quarantined_count": pl.Int64(),
    "status": pl.String(),
    "ingested_at": pl.Datetime("us", "UTC"),
}
QUARANTINE_TABLE = "quarantine"

# Every table the loaders own, in the order they are created.
OWNED_TABLES: dict[str, dict[str, pl.DataType]] = {
    **RAW_TABLES,
    QUARANTINE_TABLE: QUARANTINE,
    LEDGER_TABLE: LEDGER,
}


def sql_type(dtype: pl.DataType) -> str:
    """The SQL type of a canonical column; the same spelling works on DuckDB and PostgreSQL."""
    if isinstance(dtype, pl.Decimal):
        return f"decimal({dtype.precision}, {dtype.scale})"
    if isinstance(dtype, pl.Datetime):
        return "timestamp with time zone"
    simple = {
        pl.String: "varchar",
        pl.Int64: "bigint",
        pl.Int32: "integer",
        pl.Boolean: "boolean",
        pl.Date: "date",
    }
    for polars_type, name in simple.items():
        if isinstance(dtype, polars_type):
            return name
    raise TypeError(f"no SQL type for {dtype!r}")


def create_table_sql(table: str, schema: dict[str, pl.DataType]) -> str:
    columns = ",\n    ".join(f"{name} {sql_type(dtype)}" for name, dtype in schema.items())
    key = ",\n    primary key (file_sha256)" if table == LEDGER_TABLE else ""
    return f"create table if not exists {RAW_SCHEMA}.{table} (\n    {columns}{key}\n)"


def raw_ddl() -> list[str]:
    return [f"create schema if not exists {RAW_SCHEMA}"] + [
        create_table_sql(table, schema) for table, schema in OWNED_TABLES.items()
    ]
