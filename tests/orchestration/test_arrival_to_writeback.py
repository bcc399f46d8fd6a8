"""A custodian file dropped into the HTTP sandbox reaches recon.breaks and its write-back
reaches the platform through the arrival sensor, without anyone starting a run.

The real `dagster-daemon` runs as a subprocess on a private DAGSTER_HOME with the arrival
sensors switched on (POSTTRADE_SENSORS_RUNNING) and polling every second. The test prints
the latency from the file's arrival to the platform's acknowledgement, split by stage; it
asserts behaviour only (one run, the breaks, one effect per correction), never timings.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import dagster as dg
import pytest

from posttrade.arrival_latency import (
    Daemon,
    StatusTemplates,
    await_arrival,
    daemon_environment,
    failing_status_file,
    pending_instructions,
    prepare_dagster_home,
    sensor_runs,
    wait_until_sensing,
)
from posttrade.pipeline import PlatformSource, run_pipeline
from posttrade.settings import WarehouseSettings
from posttrade.warehouse_query import fetch
from sandbox.generator import generate
from sandbox.server import serve

TOKEN = "sandbox-token"
CHANGED = 2  # instructions the new file turns to failing
TIMEOUT_S = 900  # a whole run on a busy 2-core machine; no timing is asserted

# Every variable the in-process run and the daemon read: monkeypatched so the test leaves
# the environment as it found it.
ENV_KEYS = (
    "DAGSTER_HOME",
    "POSTTRADE_TARGET",
    "POSTTRADE_DUCKDB_PATH",
    "POSTTRADE_TRANSPORT",
    "POSTTRADE_PLATFORM_URL",
    "POSTTRADE_INBOX",
    "POSTTRADE_WRITEBACK_URL",
)


def test_new_custodian_file_reaches_breaks_and_platform_through_the_sensor(
    tmp_path: Path, private_data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = tmp_path / "world"
    generate(world, seed=7, trades=40, days=2)
    home = prepare_dagster_home(tmp_path / "dagster_home")
    settings = WarehouseSettings("duckdb", tmp_path / "warehouse.duckdb")
    for key in ENV_KEYS:
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    monkeypatch.setenv("POSTTRADE_PLATFORM_TOKEN", TOKEN)

    with serve(world, token=TOKEN) as server:
        monkeypatch.setenv("POSTTRADE_WRITEBACK_URL", server.url)
        first = run_pipeline(PlatformSource(url=server.url), settings, log_level="WARNING")
        assert first.success, f"pipeline failed at {first.failed_steps}"
        effects_before = len(server.effects)
        assert effects_before, "the first run sends the world's corrections"

        templates = StatusTemplates.from_world(world)
        changed = pending_instructions(settings, templates)[:CHANGED]
        assert len(changed) == CHANGED, "the world has pending instructions the MT548s serve"

        env = daemon_environment(
            home=home, platform_url=server.url, settings=settings, data_dir=private_data_dir
        )
        with (
            dg.DagsterInstance.from_config(str(home)) as instance,
            Daemon(env, tmp_path / "daemon.log") as daemon,
        ):
            wait_until_sensing(instance, daemon, timeout=TIMEOUT_S)
            assert not sensor_runs(instance), "files already ingested launch nothing"
            written_at = time.time()
            name = f"{templates.last_day:%Y%m%d}_late_status_001.fin"
            failing_status_file(templates, changed, 1, world / "custodian" / name)
            timing = await_arrival(
                instance,
                daemon,
                lambda: server.effects,
                written_at=written_at,
                runs_before=0,
                effects_before=effects_before,
                expected_effects=CHANGED,
                timeout=TIMEOUT_S,
            )
            # A few more looks by every sensor: the ingested file launches nothing more.
            time.sleep(6)
            by_sensors = [
                run
                for run in instance.get_runs()
                if run.tags.get("posttrade/trigger", "").endswith("_arrivals")
            ]
        print(f"\n{timing.describe()}")
        new_effects = server.effects[effects_before:]

    assert [run.run_id for run in by_sensors] == [timing.run_id], "one run, by the sensor"
    assert by_sensors[0].tags["posttrade/trigger"] == "custodian_arrivals"
    assert by_sensors[0].tags["dagster/partition"] == templates.last_day.isoformat()

    _, breaks = fetch(
        settings,
        "select trade_ref, status from recon.breaks "
        "where recon = 'settlement' and break_type = 'settlement_fail' order by trade_ref",
    )
    assert {ref for ref, status in breaks if status == "open"} >= set(changed)

    failing = [
        effect
        for effect in new_effects
        if effect.platform == "oms" and effect.kind == "settlement_status"
    ]
    bodies = [json.loads(effect.body) for effect in failing]
    assert sorted(body["instruction_ref"] for body in bodies) == sorted(changed), (
        "exactly one effect per changed instruction"
    )
    assert {body["status"] for body in bodies} == {"failing"}
    keys = [effect.idempotency_key for effect in new_effects]
    assert len(keys) == len(set(keys))
