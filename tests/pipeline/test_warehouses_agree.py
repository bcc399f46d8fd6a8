"""The same world on DuckDB and on PostgreSQL gives the same marts and breaks, row for row.

Every table of the marts schema (whatever models it holds) and recon.breaks are read from
both warehouses without run metadata (loaded_at), values normalized to comparable Python
values (decimals by value, aware timestamps in UTC), and compared as multisets; a difference
names the first rows that differ.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from posttrade.settings import WarehouseSettings
from posttrade.warehouse_query import fetch
from tests.pipeline.ground_truth import RUN_METADATA

TABLES_SQL = (
    "select table_name from information_schema.tables where table_schema = 'marts' "
    "order by table_name"
)
SHOWN = 5  # differing rows shown per side


def _value(value: object) -> object:
    """One comparable value: 1.50 (decimal(28, 6)) equals 1.5, an aware timestamp is UTC."""
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, int | Decimal):
        return ("number", str(Decimal(value).normalize()))
    if isinstance(value, float):
        raise AssertionError(f"a float in a mart: {value!r} (money and quantities are decimals)")
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC)
    return value


def _rows(settings: WarehouseSettings, table: str) -> tuple[list[str], Counter]:
    """The table's columns and rows, without run metadata (each warehouse ran at its time)."""
    columns, rows = fetch(settings, f"select * from {table}")
    keep = [i for i, name in enumerate(columns) if name not in RUN_METADATA]
    return [columns[i] for i in keep], Counter(tuple(_value(row[i]) for i in keep) for row in rows)


def _sort_key(row: tuple) -> tuple:
    return tuple((v is None, str(v)) for v in row)


def _first_differences(only: Counter) -> list[tuple]:
    return sorted(only.elements(), key=_sort_key)[:SHOWN]


def test_marts_schema_holds_the_same_tables(
    first_run, duckdb_settings: WarehouseSettings, postgres_settings: WarehouseSettings
) -> None:
    duck = [r[0] for r in fetch(duckdb_settings, TABLES_SQL)[1]]
    pg = [r[0] for r in fetch(postgres_settings, TABLES_SQL)[1]]
    assert duck == pg
    assert {"fct_cash_movements", "fct_fees", "dim_business_days"} <= set(duck)


def _tables(settings: WarehouseSettings) -> list[str]:
    return [f"marts.{r[0]}" for r in fetch(settings, TABLES_SQL)[1]] + ["recon.breaks"]


def test_every_mart_and_the_breaks_agree_row_for_row(
    first_run, duckdb_settings: WarehouseSettings, postgres_settings: WarehouseSettings
) -> None:
    compared = 0
    for table in _tables(duckdb_settings):
        duck_columns, duck = _rows(duckdb_settings, table)
        pg_columns, pg = _rows(postgres_settings, table)
        assert duck_columns == pg_columns, f"{table}: columns differ"
        assert duck, f"{table} is empty: nothing would be compared"
        only_duck, only_pg = duck - pg, pg - duck
        if only_duck or only_pg:
            pytest.fail(
                f"{table}: {sum(only_duck.values())} rows only on DuckDB, "
                f"{sum(only_pg.values())} only on PostgreSQL ({duck_columns})\n"
                f"DuckDB:     {_first_differences(only_duck)}\n"
                f"PostgreSQL: {_first_differences(only_pg)}"
            )
        compared += 1
    assert compared >= 15


def test_normalization_keeps_real_differences() -> None:
    """The normalization equates only representations of the same value."""
    assert _value(Decimal("1.500000")) == _value(Decimal("1.5")) == _value(Decimal("1.50"))
    assert _value(Decimal("1.5")) != _value(Decimal("1.500001"))
    assert _value(3) == _value(Decimal("3.000000"))
    assert _value(True) != _value(1)
    assert _value(None) != _value("")
