"""Sensors launch the pipeline for files the ledger has not seen, once per set of files."""

import json
from pathlib import Path

import dagster as dg
import pytest

from extractors.base import parse_file
from extractors.transport import DirectoryTransport
from loaders.arrivals import new_arrivals
from loaders.duckdb_loader import DuckDBLoader
from orchestration.defs import ingestion, jobs
from orchestration.defs.arrivals import build_arrival_sensor
from orchestration.defs.schedules import END_OF_DAY, build_defs
from orchestration.resources import (
    PlatformTransportResource,
    RawStorageResource,
    WarehouseResource,
)


def _drop(inbox: Path, name: str, content: bytes) -> None:
    (inbox / "oms").mkdir(parents=True, exist_ok=True)
    (inbox / "oms" / name).write_bytes(content)


def test_ledger_decides_and_cursor_only_saves_rehashing(tmp_path: Path) -> None:
    _drop(tmp_path, "a.fix", b"one")
    _drop(tmp_path, "b.fix", b"two")
    transport = DirectoryTransport(tmp_path)
    ledger: set[str] = set()

    def ingested(hashes):
        return set(hashes) & ledger

    found, cursor = new_arrivals(transport, "oms", {}, ingested)
    assert [a.relative_path for a in found] == ["oms/a.fix", "oms/b.fix"]
    assert cursor == {}, "files not yet in the ledger stay out of the cursor"

    ledger.add(found[0].sha256)
    found, cursor = new_arrivals(transport, "oms", cursor, ingested)
    assert [a.relative_path for a in found] == ["oms/b.fix"]
    assert list(cursor) == ["oms/a.fix"]

    _drop(tmp_path, "c.fix", b"one")  # the same bytes under another name: already ingested
    found, cursor = new_arrivals(transport, "oms", cursor, ingested)
    assert [a.relative_path for a in found] == ["oms/b.fix"]


@pytest.fixture
def sensor_resources(tmp_path: Path) -> dict[str, object]:
    return {
        "platforms": PlatformTransportResource(inbox_dir=str(tmp_path / "inbox")),
        "warehouse": WarehouseResource(duckdb_path=str(tmp_path / "warehouse.duckdb")),
    }


def _evaluate(resources: dict[str, object], cursor: str | None = None):
    sensor = build_arrival_sensor("oms")
    # Partitioned run requests are checked against the job's partitions: the raw assets and
    # the pipeline job are enough (no dbt manifest needed).
    definitions = dg.Definitions.merge(
        ingestion.build_defs(),
        jobs.build_defs(),
        dg.Definitions(
            sensors=[sensor],
            resources={**resources, "raw_storage": RawStorageResource(landing_dir="", lake_dir="")},
        ),
    )
    instance = dg.DagsterInstance.ephemeral()
    with (
        dg.partition_loading_context(dynamic_partitions_store=instance),
        dg.build_sensor_context(
            instance=instance,
            cursor=cursor,
            resources=resources,
            definitions=definitions,
        ) as context,
    ):
        result = sensor.evaluate_tick(context)
    return result


def test_sensor_requests_one_run_for_new_files_then_skips_once_loaded(
    sensor_resources: dict[str, object], tmp_path: Path, oms_fix_file: bytes
) -> None:
    inbox = tmp_path / "inbox"
    _drop(inbox, "executions.fix", oms_fix_file)

    first = _evaluate(sensor_resources)
    again = _evaluate(sensor_resources)
    assert len(first.run_requests) == 1
    assert first.run_requests[0].run_key == again.run_requests[0].run_key
    # The run is for the business date the file's records carry (the generator's first day).
    assert first.run_requests[0].partition_key == "2026-11-24"

    with DuckDBLoader(tmp_path / "warehouse.duckdb") as loader:
        loader.load(parse_file("oms", "oms/executions.fix", oms_fix_file))
    after = _evaluate(sensor_resources, cursor=first.cursor)
    assert not after.run_requests
    assert "no new oms file" in (after.skip_message or "")
    assert "oms/executions.fix" in json.loads(after.cursor)


@pytest.fixture
def oms_fix_file(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    from sandbox.generator import generate

    world = tmp_path_factory.mktemp("world")
    generate(world, trades=5)
    return sorted((world / "oms").iterdir())[0].read_bytes()


def test_end_of_day_schedules_run_in_each_regions_time_zone() -> None:
    schedules = {s.name: s for s in build_defs().schedules}
    assert set(schedules) == {f"end_of_day_{region}" for region in END_OF_DAY}
    assert schedules["end_of_day_europe"].execution_timezone == "Europe/London"
    assert schedules["end_of_day_asia"].execution_timezone == "Asia/Singapore"
