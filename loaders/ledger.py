"""Read-only questions to the ingestion ledger (raw.ingested_files)."""

from __future__ import annotations

from collections.abc import Iterable

from loaders.ddl import LEDGER_TABLE, RAW_SCHEMA
from posttrade.settings import WarehouseSettings
from posttrade.warehouse_query import fetch, table_exists


class WarehouseBusy(RuntimeError):
    """The warehouse cannot be read right now (a DuckDB file another process is writing)."""


def ingested_hashes(settings: WarehouseSettings, hashes: Iterable[str]) -> set[str]:
    """Those of `hashes` the ledger already holds."""
    wanted = sorted(set(hashes))
    if not wanted:
        return set()
    if settings.target == "duckdb" and not settings.duckdb_path.exists():
        return set()
    try:
        if not table_exists(settings, RAW_SCHEMA, LEDGER_TABLE):
            return set()
        marks = ", ".join("?" for _ in wanted)
        _, rows = fetch(
            settings,
            f"select file_sha256 from {RAW_SCHEMA}.{LEDGER_TABLE} where file_sha256 in ({marks})",
            wanted,
        )
    except Exception as error:
        if "lock" in str(error).lower():
            raise WarehouseBusy(f"{settings.describe()} is being written: {error}") from error
        raise
    return {row[0] for row in rows}


def ledger_business_dates(settings: WarehouseSettings, hashes: Iterable[str]) -> dict[str, str]:
    """file_sha256 -> the ledger's `business_dates` for those of `hashes` it holds."""
    wanted = sorted(set(hashes))
    if not wanted or (settings.target == "duckdb" and not settings.duckdb_path.exists()):
        return {}
    if not table_exists(settings, RAW_SCHEMA, LEDGER_TABLE):
        return {}
    marks = ", ".join("?" for _ in wanted)
    _, rows = fetch(
        settings,
        f"select file_sha256, business_dates from {RAW_SCHEMA}.{LEDGER_TABLE} "
        f"where file_sha256 in ({marks})",
        wanted,
    )
    return {sha256: business_dates for sha256, business_dates in rows}


def latest_ledger_dates(settings: WarehouseSettings) -> str | None:
    """The ledger's latest `business_dates` value (ISO dates sort as text), if any."""
    if settings.target == "duckdb" and not settings.duckdb_path.exists():
        return None
    if not table_exists(settings, RAW_SCHEMA, LEDGER_TABLE):
        return None
    _, rows = fetch(
        settings,
        f"select max(right(business_dates, 10)) from {RAW_SCHEMA}.{LEDGER_TABLE} "
        "where business_dates <> ''",
    )
    return rows[0][0] if rows else None
