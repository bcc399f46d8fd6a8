"""A corpus of bad deliveries (tests/fixtures/bad_files) is quarantined file by file, each with
its precise reason, and leaves every raw table, mart and break of the warehouse as it was."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb
import pytest

from posttrade.pipeline import run_pipeline
from posttrade.settings import WarehouseSettings
from posttrade.warehouse_query import fetch
from tests.pipeline.conftest import StagedRuns

CORPUS = Path(__file__).parents[1] / "fixtures" / "bad_files"

# (inbox path, quarantined whole, field, a substring of the reason) per bad delivery.
EXPECTED = {
    "bank/decimal_comma_statement.xml": (
        False,
        "Stmt/Bal/Amt",
        "',' is no decimal separator in ISO 20022 XML",
    ),
    "bank/entity_bomb.xml": (True, None, "XML declares a DOCTYPE: refused unparsed"),
    "ctm/empty_delivery.fix": (True, None, "empty file"),
    "custodian/truncated_status_advice.xml": (True, None, "not well-formed XML (truncated"),
    "custodian/unknown_message_type.xml": (
        False,
        "Document",
        "message type pacs.008.001.08 is not handled by platform custodian",
    ),
    "oms/bad_checksum.fix": (True, "10 CheckSum", "CheckSum 000 does not match the computed 152"),
    "oms/escape_the_inbox.fix": (True, "file", "a symbolic link, not a delivered file"),
}
# What a quarantined delivery may add to: the quarantine itself and the ingestion ledger
# (and the staging view over it); and what every run rewrites about itself, the latest
# outcome of each data test.
BOOKKEEPING = {
    "raw.quarantine",
    "raw.ingested_files",
    "staging.stg_ingestion__files",
    "ops.data_test_results",
}
# When a run wrote a row, not what the row says: a run rewrites its window's rows.
RUN_METADATA = "loaded_at"


def _snapshot(path: Path) -> dict[str, list[tuple]]:
    """Every row of every table and view the pipeline builds, but the bookkeeping."""
    with duckdb.connect(str(path), read_only=True) as connection:
        relations = connection.execute(
            "select table_schema || '.' || table_name from information_schema.tables "
            "where table_schema not in ('main', 'information_schema', 'pg_catalog') "
            "and table_schema not like 'writeback%' order by 1"
        ).fetchall()
        return {
            name: sorted(
                connection.execute(f"select * exclude ({RUN_METADATA}) from {name}").fetchall()
                if RUN_METADATA in _columns(connection, name)
                else connection.execute(f"select * from {name}").fetchall(),
                key=repr,
            )
            for (name,) in relations
            if name not in BOOKKEEPING
        }


def _columns(connection: duckdb.DuckDBPyConnection, name: str) -> set[str]:
    return {row[0] for row in connection.execute(f"describe {name}").fetchall()}


@pytest.fixture
def warehouse_copy(
    first_run: StagedRuns,
    duckdb_settings: WarehouseSettings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> WarehouseSettings:
    """The pipeline tests' warehouse after its runs, copied, with a raw archive and lake of
    its own, so this test changes nothing the other pipeline tests read."""
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copy2(duckdb_settings.duckdb_path, warehouse)
    monkeypatch.setenv("POSTTRADE_DATA_DIR", str(tmp_path / "data"))
    return WarehouseSettings("duckdb", warehouse)


@pytest.fixture
def corpus_inbox(tmp_path: Path) -> Path:
    inbox = tmp_path / "inbox"
    shutil.copytree(CORPUS, inbox)
    # A path-traversal attempt in a file drop: a link out of the inbox, never followed.
    os.symlink("../../../../../../etc/passwd", inbox / "oms" / "escape_the_inbox.fix")
    return inbox


def test_bad_files_are_quarantined_each_with_its_reason_and_nothing_else_changes(
    warehouse_copy: WarehouseSettings, corpus_inbox: Path
) -> None:
    settings = warehouse_copy
    before = _snapshot(settings.duckdb_path)

    run = run_pipeline(corpus_inbox, settings)

    assert run.success, f"bad files must not stop the run (failed at {run.failed_steps})"
    _, rows = fetch(
        settings,
        "select q.source_file, q.field, q.reason, f.status from raw.quarantine as q "
        "join raw.ingested_files as f on f.file_sha256 = q.file_sha256 "
        f"where q.source_file in ({', '.join('?' for _ in EXPECTED)})",
        list(EXPECTED),
    )
    found: dict[str, list[tuple]] = {}
    for source_file, field, reason, status in rows:
        found.setdefault(source_file, []).append((field, reason, status))
    assert sorted(found) == sorted(EXPECTED), "every bad delivery is in the quarantine"
    for source_file, (whole, field, reason) in EXPECTED.items():
        for got_field, got_reason, status in found[source_file]:
            assert reason in got_reason, (source_file, got_reason)
            assert got_field == field, (source_file, got_field)
            assert (status == "quarantined") is whole, (source_file, status)
    after = _snapshot(settings.duckdb_path)
    assert sorted(after) == sorted(before)
    changed = [name for name in before if after[name] != before[name]]
    assert not changed, f"a bad delivery changed {changed}"


def test_the_same_bad_files_again_add_nothing(
    warehouse_copy: WarehouseSettings, corpus_inbox: Path
) -> None:
    settings = warehouse_copy
    assert run_pipeline(corpus_inbox, settings).success
    counts = (
        "select (select count(*) from raw.quarantine), (select count(*) from raw.ingested_files)"
    )
    once = fetch(settings, counts)[1]
    assert run_pipeline(corpus_inbox, settings).success
    assert fetch(settings, counts)[1] == once
