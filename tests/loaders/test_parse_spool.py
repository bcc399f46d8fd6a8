"""A run parses each new file once: the date scan's batches are spooled and the ingestion
loads them back, identical to a fresh parse; nothing is spooled outside a run's block."""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import duckdb
import pytest

from extractors import base
from extractors.schemas import PLATFORM_TABLES
from extractors.transport import DirectoryTransport
from loaders import delivery_dates, open_loader, parse_spool
from loaders.delivery_dates import file_business_date, inbox_business_dates
from loaders.ingest import RawStorage, ingest_platform
from posttrade.settings import WarehouseSettings
from sandbox.generator import generate


@pytest.fixture(scope="module")
def inbox(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("spool_world")
    generate(root, seed=5, trades=40, days=2)
    return root / "inbox" if (root / "inbox").is_dir() else root


def _frames_equal(left: base.ExtractedFile, right: base.ExtractedFile) -> None:
    assert left.tables.keys() == right.tables.keys()
    for name, frame in left.tables.items():
        assert frame.schema == right.tables[name].schema, name
        assert frame.equals(right.tables[name]), name
    assert left.quarantine.equals(right.quarantine)
    assert (left.message_types, left.message_count, left.skipped_session_messages) == (
        right.message_types,
        right.message_count,
        right.skipped_session_messages,
    )
    assert (left.is_quarantined_whole, left.voids_previous, left.source_file) == (
        right.is_quarantined_whole,
        right.voids_previous,
        right.source_file,
    )


def test_spooled_batches_read_back_as_parsed(inbox: Path, tmp_path: Path) -> None:
    transport = DirectoryTransport(inbox)
    files = [f for p in PLATFORM_TABLES for f in transport.list_files(p)]
    assert {f.platform for f in files} == set(PLATFORM_TABLES)
    with parse_spool.spooling(tmp_path) as folder:
        for delivered in files:
            content = transport.read(delivered)
            parsed = list(
                base.parse_batches(
                    delivered.platform, delivered.relative_path, content.data, content.sha256, 7
                )
            )
            passed = list(parse_spool.keep(content.sha256, iter(parsed)))
            assert passed == parsed
            spooled = parse_spool.take(content.sha256)
            assert spooled is not None
            read_back = list(spooled)
            assert len(read_back) == len(parsed) > 0
            for left, right in zip(read_back, parsed, strict=True):
                _frames_equal(left, right)
            assert parse_spool.take(content.sha256) is None, "taken once, then removed"
        assert folder.is_dir()
    assert not folder.exists(), "the block removes its spool"


def test_nothing_is_spooled_outside_a_block(inbox: Path) -> None:
    transport = DirectoryTransport(inbox)
    delivered = transport.list_files("oms")[0]
    content = transport.read(delivered)
    file_business_date("oms", delivered.relative_path, content.data, content.sha256)
    assert parse_spool.take(content.sha256) is None


def test_an_interrupted_parse_is_not_taken(tmp_path: Path) -> None:
    with parse_spool.spooling(tmp_path):
        batches = parse_spool.keep("a" * 64, iter([]))
        assert list(batches) == []
        assert parse_spool.take("a" * 64) is not None  # complete, if empty
        unfinished = parse_spool.keep("b" * 64, iter([object()]))  # type: ignore[list-item]
        with pytest.raises(AttributeError):
            next(unfinished)
        assert parse_spool.take("b" * 64) is None


def test_a_run_parses_each_new_file_once(
    inbox: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    parses: Counter[str] = Counter()
    parse_batches = base.parse_batches

    def counted(platform: str, source_file: str, *args: object, **kwargs: object):
        parses[source_file] += 1
        return parse_batches(platform, source_file, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr("loaders.delivery_dates.parse_batches", counted)
    monkeypatch.setattr(base, "parse_batches", counted)
    settings = WarehouseSettings("duckdb", tmp_path / "warehouse.duckdb")
    storage = RawStorage(tmp_path / "landing", tmp_path / "lake")
    transport = DirectoryTransport(inbox)
    with parse_spool.spooling(tmp_path / "data"):
        dates = inbox_business_dates(transport, PLATFORM_TABLES, settings)
        with open_loader(settings) as loader:
            reports = [
                ingest_platform(p, transport, loader, storage, business_dates=dates)
                for p in PLATFORM_TABLES
            ]
    loaded = [o for r in reports for o in r.outcomes]
    assert loaded and all(o.loaded_row_count + o.quarantined_count > 0 for o in loaded)
    assert set(parses) == {o.source_file for o in loaded}
    assert set(parses.values()) == {1}, parses

    # The same inbox parsed afresh loads the same rows.
    fresh = tmp_path / "fresh.duckdb"
    fresh_storage = RawStorage(tmp_path / "landing2", tmp_path / "lake2")
    with open_loader(WarehouseSettings("duckdb", fresh)) as fresh_loader:
        for p in PLATFORM_TABLES:
            ingest_platform(p, transport, fresh_loader, fresh_storage)
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as spooled_db:
        tables = [
            t
            for (t,) in spooled_db.sql(
                "select table_schema || '.' || table_name from information_schema.tables "
                "where table_schema = 'raw'"
            ).fetchall()
        ]
        assert tables
        spooled_db.execute(f"attach '{fresh}' as fresh (read_only)")
        for table in tables:
            if table.endswith("ingested_files") or table.endswith("_ledger"):
                continue
            columns = [
                c
                for (c,) in spooled_db.execute(
                    "select column_name from information_schema.columns "
                    "where table_schema || '.' || table_name = ? and column_name <> 'loaded_at'",
                    [table],
                ).fetchall()
            ]
            names = ", ".join(columns)
            ours, theirs = f"select {names} from {table}", f"select {names} from fresh.{table}"
            difference = spooled_db.sql(
                f"({ours} except all {theirs}) union all ({theirs} except all {ours})"
            ).fetchall()
            assert difference == [], table


def _dates_learned_inline(
    inbox: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[WarehouseSettings, DirectoryTransport, set]:
    """The inbox's dates learned in this process, from a clean memory of known files."""
    settings = WarehouseSettings("duckdb", tmp_path / "warehouse.duckdb")
    transport = DirectoryTransport(inbox)
    monkeypatch.setattr(delivery_dates, "_KNOWN", {})
    return (
        settings,
        transport,
        inbox_business_dates(transport, PLATFORM_TABLES, settings, workers=1),
    )


def test_worker_processes_learn_the_same_dates_and_fill_the_spool(
    inbox: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings, transport, inline = _dates_learned_inline(inbox, tmp_path, monkeypatch)
    inline_known = dict(delivery_dates._KNOWN)

    parsed_here: list[str] = []
    parse_batches = delivery_dates.parse_batches
    monkeypatch.setattr(
        delivery_dates,
        "parse_batches",
        lambda platform, source, *rest: (
            parsed_here.append(source) or parse_batches(platform, source, *rest)
        ),
    )
    monkeypatch.setattr(delivery_dates, "_KNOWN", {})
    monkeypatch.setattr(delivery_dates, "_POOL_AFTER_BYTES", 0)
    with parse_spool.spooling(tmp_path / "data"):
        pooled = inbox_business_dates(transport, PLATFORM_TABLES, settings, workers=2)
        assert parsed_here == [], "every file was parsed on a worker"
        assert pooled == inline and len(inline) >= 2
        assert inline_known == delivery_dates._KNOWN
        for sha256 in inline_known:
            spooled = parse_spool.take(sha256)
            assert spooled is not None and list(spooled)


def _worker_that_dies(*args: object) -> None:
    os._exit(3)


def test_a_broken_worker_pool_falls_back_to_parsing_here(
    inbox: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings, transport, inline = _dates_learned_inline(inbox, tmp_path, monkeypatch)
    monkeypatch.setattr(delivery_dates, "_KNOWN", {})
    monkeypatch.setattr(delivery_dates, "_POOL_AFTER_BYTES", 0)
    monkeypatch.setattr(delivery_dates, "_learn_in_worker", _worker_that_dies)
    with parse_spool.spooling(tmp_path / "data"):
        assert inbox_business_dates(transport, PLATFORM_TABLES, settings, workers=2) == inline
        assert all(parse_spool.take(sha256) is not None for sha256 in delivery_dates._KNOWN)


def test_a_rerun_skips_loaded_dropped_files_without_reading_them_whole(
    inbox: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = WarehouseSettings("duckdb", tmp_path / "warehouse.duckdb")
    storage = RawStorage(tmp_path / "landing", tmp_path / "lake")
    transport = DirectoryTransport(inbox)
    with open_loader(settings) as loader:
        for platform in PLATFORM_TABLES:
            ingest_platform(platform, transport, loader, storage)

    def no_whole_reads(file: object) -> None:
        raise AssertionError(f"{file} read whole to be skipped")

    monkeypatch.setattr(transport, "read", no_whole_reads)
    with parse_spool.spooling(tmp_path / "data"), open_loader(settings) as loader:
        outcomes = [
            o
            for platform in PLATFORM_TABLES
            for o in ingest_platform(platform, transport, loader, storage).outcomes
        ]
    assert outcomes and all(o.already_ingested for o in outcomes)
