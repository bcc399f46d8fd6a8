"""A generated day from files in the inbox to recon.breaks, on DuckDB, split by stage."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import dagster as dg

from bench.harness import Figure
from posttrade.pipeline import run_pipeline
from posttrade.settings import WarehouseSettings


def _stage_seconds(run_id: str) -> dict[str, float]:
    with dg.DagsterInstance.get() as instance:
        stats = instance.get_run_step_stats(run_id)
    return {s.step_key: (s.end_time or 0) - (s.start_time or 0) for s in stats}


def measure(world: Path, runs: int) -> list[Figure]:
    totals: list[float] = []
    stages: dict[str, list[float]] = {}
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as scratch:
            settings = WarehouseSettings("duckdb", Path(scratch) / "warehouse.duckdb")
            started = time.perf_counter()
            run = run_pipeline(world, settings, log_level="WARNING")
            totals.append(time.perf_counter() - started)
            if not run.success:
                raise RuntimeError(f"pipeline failed at {run.failed_steps}")
            for step, seconds in _stage_seconds(run.run_id).items():
                stages.setdefault(step, []).append(seconds)
    figures = [Figure("e2e", "inbox to recon.breaks (whole run)", "s", totals)]
    figures += [
        Figure("e2e", f"step {step}", "s", values) for step, values in sorted(stages.items())
    ]
    return figures
