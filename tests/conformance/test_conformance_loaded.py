"""The conformance corpus loaded into both warehouses reads back as it parsed: every file of
tests/conformance/{fix,custodian,bank}/ (whose parsed values the other conformance tests
hold against hand-written expectations) lands in raw.* of DuckDB and of PostgreSQL with the
same rows, every value of its exact type, so nothing is lost or altered on the way in."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from extractors.base import parse_file
from extractors.schemas import PLATFORM_TABLES
from loaders import open_loader
from posttrade.settings import WarehouseSettings
from tests.conftest import fresh_postgres_database

HERE = Path(__file__).parent
# Corpus folder -> the platform whose reader takes its files.
FOLDERS = {"fix": None, "custodian": "custodian", "bank": "bank"}


def _platform(path: Path) -> str:
    return FOLDERS[path.parent.name] or path.name.split("_", 1)[0]


def corpus() -> list[Path]:
    return sorted(
        path
        for folder in FOLDERS
        for path in (HERE / folder).iterdir()
        if path.is_file() and not path.name.endswith(".json")
    )


@pytest.fixture(scope="module", params=["duckdb", "postgres"])
def warehouse(request: pytest.FixtureRequest, tmp_path_factory) -> Iterator[WarehouseSettings]:
    if request.param == "duckdb":
        yield WarehouseSettings("duckdb", tmp_path_factory.mktemp("loaded") / "w.duckdb")
        return
    with fresh_postgres_database() as dsn:
        yield WarehouseSettings("postgres", pg_dsn=dsn)


def _normalised(value: Any) -> Any:
    # A timestamp reads back in the session's zone: the instant is what must agree.
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.timestamp(), "tz"
    if isinstance(value, float):
        raise AssertionError(f"a float in a canonical table: {value!r}")
    return value


def _sort_key(row: dict[str, Any]) -> tuple:
    return tuple((v is None, str(_normalised(v))) for v in row.values())


@pytest.mark.parametrize("path", corpus(), ids=lambda path: f"{path.parent.name}/{path.name}")
def test_a_corpus_file_reads_back_from_the_warehouse_as_parsed(
    warehouse: WarehouseSettings, path: Path
) -> None:
    platform = _platform(path)
    extracted = parse_file(platform, f"{platform}/{path.name}", path.read_bytes())
    loader = open_loader(warehouse)
    try:
        loader.ensure_raw_schema()
        loader.load(extracted)
        for table in PLATFORM_TABLES[platform]:
            frame = extracted.tables[table]
            columns = frame.columns
            rows = loader.query(
                f"select {', '.join(columns)} from raw.{table} "
                f"where file_sha256 = '{extracted.file_sha256}'"
            )
            loaded = [dict(zip(columns, row, strict=True)) for row in rows]
            parsed = frame.to_dicts()
            assert len(loaded) == len(parsed), f"{table}: {len(loaded)} loaded, {len(parsed)}"
            for want, got in zip(
                sorted(parsed, key=_sort_key), sorted(loaded, key=_sort_key), strict=True
            ):
                for column in columns:
                    assert _normalised(got[column]) == _normalised(want[column]), (
                        f"{table}.{column}: loaded {got[column]!r}, parsed {want[column]!r}"
                    )
                    if isinstance(want[column], Decimal):
                        assert isinstance(got[column], Decimal), f"{table}.{column} not decimal"
    finally:
        loader.close()
