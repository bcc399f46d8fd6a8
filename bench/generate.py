"""The sandbox generator: time and peak memory for a day of N trades (memory must stay
bounded as N grows: the generator streams)."""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

from bench.harness import Figure, peak_rss_mib
from sandbox.generator import generate


def measure_generation(trades: int, runs: int) -> list[Figure]:
    timings = []
    written = 0
    for _ in range(runs):
        scratch = Path(tempfile.mkdtemp(prefix="bench-generate-"))
        try:
            started = time.perf_counter()
            generate(scratch / "world", seed=1, trades=trades)
            timings.append(time.perf_counter() - started)
            written = sum(p.stat().st_size for p in (scratch / "world").rglob("*") if p.is_file())
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    return [
        Figure(
            "generate",
            f"{trades:,}-trade day, all platforms",
            "s",
            timings,
            {
                "trades/s (median)": round(trades / sorted(timings)[len(timings) // 2]),
                "MB written": round(written / 1e6, 1),
                "peak RSS so far (MiB)": round(peak_rss_mib()),
            },
        )
    ]
