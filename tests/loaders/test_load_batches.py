"""A file loaded batch by batch is still all or nothing, with one ledger row of totals."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from extractors.base import parse_batches
from extractors.extracted import ExtractedFile
from loaders.duckdb_loader import DuckDBLoader
from sandbox.generator import generate

SHA = "a" * 64


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("load_batches") / "world"
    generate(out, seed=7, trades=30, days=1)
    return out


def _counts(loader: DuckDBLoader, table: str) -> int:
    return loader.query(f"select count(*) from raw.{table} where file_sha256 = '{SHA}'")[0][0]


def _ledger(loader: DuckDBLoader) -> list[tuple]:
    return loader.query(
        "select message_count, loaded_row_count, quarantined_count, status"
        f" from raw.ingested_files where file_sha256 = '{SHA}'"
    )


def test_batches_load_the_same_rows_and_ledger_as_one_batch(world: Path, tmp_path: Path) -> None:
    data = next((world / "oms").glob("*executions.fix")).read_bytes()
    results = []
    for size, name in ((10**9, "whole"), (4, "batched")):
        with DuckDBLoader(tmp_path / f"{name}.duckdb") as loader:
            seen: list[ExtractedFile] = []
            batches = parse_batches("oms", "oms/e.fix", data, SHA, size)
            outcome = loader.load_batches(batches, seen.append)
            results.append((outcome.rows_by_table, _ledger(loader), len(seen)))
            assert (
                _counts(loader, "oms_execution_reports")
                == outcome.rows_by_table["oms_execution_reports"]
            )
    (whole_rows, whole_ledger, one), (rows, ledger, many) = results
    assert one == 1 and many > 1
    assert rows == whole_rows and ledger == whole_ledger
    assert ledger[0][3] == "loaded"


def test_xml_found_malformed_late_leaves_only_the_whole_file_quarantine(
    world: Path, tmp_path: Path
) -> None:
    data = next((world / "custodian").glob("*settlement_status.xml")).read_bytes()
    truncated = data[: len(data) * 2 // 3]
    with DuckDBLoader(tmp_path / "w.duckdb") as loader:
        outcome = loader.load_batches(parse_batches("custodian", "c/x.xml", truncated, SHA, 2))
        assert outcome.loaded_row_count == 0
        assert _counts(loader, "custodian_settlement_statuses") == 0
        assert _counts(loader, "quarantine") == 1
        ((messages, loaded, quarantined, status),) = _ledger(loader)
        assert (loaded, quarantined, status) == (0, 1, "quarantined")
        assert messages > 0


def test_a_failure_mid_file_rolls_back_every_batch(world: Path, tmp_path: Path) -> None:
    data = next((world / "oms").glob("*executions.fix")).read_bytes()

    def failing() -> Iterator[ExtractedFile]:
        batches = parse_batches("oms", "oms/e.fix", data, SHA, 4)
        yield next(batches)
        yield next(batches)
        raise OSError("disk gone")

    with DuckDBLoader(tmp_path / "w.duckdb") as loader:
        with pytest.raises(OSError, match="disk gone"):
            loader.load_batches(failing())
        assert _counts(loader, "oms_execution_reports") == 0
        assert not loader.is_ingested(SHA)


def test_postgres_tables_have_planner_statistics_after_a_load(
    world: Path, postgres_dsn: str
) -> None:
    """A bulk COPY leaves PostgreSQL's planner blind until autovacuum: the loader analyzes
    the tables it filled (a never-analyzed table has reltuples -1). In a database of its
    own: the session's database holds other tests' raw schema."""
    import uuid

    import psycopg

    from loaders.postgres_loader import PostgresLoader

    database = f"posttrade_test_stats_{uuid.uuid4().hex[:8]}"
    server, _, _ = postgres_dsn.rpartition("/")
    data = next((world / "oms").glob("*executions.fix")).read_bytes()
    with psycopg.connect(postgres_dsn, autocommit=True) as admin:
        admin.execute(f'create database "{database}"')
        try:
            with PostgresLoader(f"{server}/{database}") as loader:
                outcome = loader.load_batches(parse_batches("oms", "oms/e.fix", data, SHA, 4))
                estimated = loader.query(
                    "select reltuples from pg_class "
                    "where oid = 'raw.oms_execution_reports'::regclass"
                )[0][0]
        finally:
            admin.execute(f'drop database if exists "{database}" with (force)')
    rows = outcome.rows_by_table["oms_execution_reports"]
    assert rows > 0 and estimated == rows
