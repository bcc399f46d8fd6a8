"""Incremental latency: one new custodian file touching 1% of a day's trades, from its
arrival to updated breaks and acknowledged write-back, through the real Dagster daemon.

The generated world is served by the HTTP sandbox and run once in full; then `dagster-daemon`
(private DAGSTER_HOME, every arrival sensor on, polling every second) picks up one new MT548
file at a time (a warm-up, then BENCH_LATENCY_FILES, default 20), each turning 1% of the
last day's trade count of pending instructions to failing. Printed: p50/p95 of the total and
of each stage (detection, run launch, ingestion, dbt start-up, dbt SQL, write-back) and the
verdict against the target (p95 under 15 s). POSTTRADE_ARRIVAL_RUN_SCOPE=all measures the
sensor launching the whole job instead of the custodian's downstream assets.
"""

from __future__ import annotations

import math
import os
import shutil
import tempfile
import time
from pathlib import Path

import dagster as dg

from bench.harness import Figure
from posttrade.arrival_latency import (
    ArrivalTiming,
    Daemon,
    StatusTemplates,
    await_arrival,
    daemon_environment,
    failing_status_file,
    pending_instructions,
    percentile,
    prepare_dagster_home,
    wait_until_sensing,
)
from posttrade.pipeline import PlatformSource, run_pipeline
from posttrade.settings import WarehouseSettings
from posttrade.warehouse_query import fetch
from sandbox.server import serve

TARGET_P95_S = 15.0
TOKEN = "bench-token"
TIMEOUT_S = 900


def files_to_measure() -> int:
    return int(os.environ.get("BENCH_LATENCY_FILES", "20"))


def verdict(p95: float) -> str:
    return "met" if p95 < TARGET_P95_S else f"missed by {p95 - TARGET_P95_S:.1f} s"


def _per_file(settings: WarehouseSettings, templates: StatusTemplates) -> int:
    _, rows = fetch(
        settings,
        "select count(*) from marts.fct_trades where trade_date = ?",
        [templates.last_day],
    )
    return max(1, math.ceil(rows[0][0] / 100))


def measure(world: Path, runs: int) -> list[Figure]:
    del runs  # the number of files is BENCH_LATENCY_FILES: p95 needs more than a few runs
    files = files_to_measure()
    scratch = Path(tempfile.mkdtemp(prefix="bench-latency-"))
    try:
        served = scratch / "world"
        shutil.copytree(world, served)
        timings, per_file = _measure(served, scratch, files)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return _figures(timings, per_file)


def _measure(served: Path, scratch: Path, files: int) -> tuple[list[ArrivalTiming], int]:
    home = prepare_dagster_home(scratch / "dagster_home")
    data_dir = scratch / "data"
    settings = WarehouseSettings("duckdb", scratch / "warehouse.duckdb")
    os.environ.update(
        {
            "DAGSTER_HOME": str(home),
            "POSTTRADE_DATA_DIR": str(data_dir),
            "POSTTRADE_PLATFORM_TOKEN": TOKEN,
        }
    )
    with serve(served, token=TOKEN) as server:
        os.environ["POSTTRADE_WRITEBACK_URL"] = server.url
        print("  the whole world once (full run) ...", flush=True)
        first = run_pipeline(PlatformSource(url=server.url), settings, log_level="WARNING")
        if not first.success:
            raise RuntimeError(f"pipeline failed at {first.failed_steps}")
        templates = StatusTemplates.from_world(served)
        per_file = _per_file(settings, templates)
        pending = pending_instructions(settings, templates)
        wanted = (files + 1) * per_file
        if len(pending) < wanted:
            per_file = max(1, len(pending) // (files + 1))
            print(f"  only {len(pending)} pending MT548 instructions: {per_file} per file")
        env = daemon_environment(
            home=home, platform_url=server.url, settings=settings, data_dir=data_dir
        )
        timings: list[ArrivalTiming] = []
        with (
            dg.DagsterInstance.from_config(str(home)) as instance,
            Daemon(env, scratch / "daemon.log") as daemon,
        ):
            wait_until_sensing(instance, daemon, timeout=TIMEOUT_S)
            for n in range(files + 1):
                changed = pending[n * per_file : (n + 1) * per_file]
                effects_before = len(server.effects)
                name = f"{templates.last_day:%Y%m%d}_late_status_{n + 1:03d}.fin"
                written_at = time.time()
                failing_status_file(templates, changed, n + 1, served / "custodian" / name)
                timing = await_arrival(
                    instance,
                    daemon,
                    lambda: server.effects,
                    written_at=written_at,
                    runs_before=n,
                    effects_before=effects_before,
                    expected_effects=len(changed),
                    timeout=TIMEOUT_S,
                )
                label = "warm-up" if n == 0 else f"file {n}/{files}"
                print(f"  {label}: {timing.describe()}", flush=True)
                if n:
                    timings.append(timing)
    return timings, per_file


def _figures(timings: list[ArrivalTiming], per_file: int) -> list[Figure]:
    totals = [t.total for t in timings]
    p50, p95 = percentile(totals, 50), percentile(totals, 95)
    figures = [
        Figure(
            "latency",
            "arrival to acknowledged write-back",
            "s",
            totals,
            {
                "files": len(timings),
                "instructions per file (1% of the day's trades)": per_file,
                "p50 (s)": round(p50, 2),
                "p95 (s)": round(p95, 2),
                f"target p95 < {TARGET_P95_S:g} s": verdict(p95),
            },
        )
    ]
    stages: dict[str, list[float]] = {}
    for timing in timings:
        for stage, seconds in timing.split().items():
            stages.setdefault(stage, []).append(seconds)
    for stage, values in stages.items():
        figures.append(
            Figure(
                "latency",
                f"  {stage}",
                "s",
                values,
                {
                    "p50 (s)": round(percentile(values, 50), 2),
                    "p95 (s)": round(percentile(values, 95), 2),
                },
            )
        )
    return figures
