"""Repeat a measurement after a warm-up and report median, min, max and peak RSS."""

from __future__ import annotations

import json
import platform
import resource
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

RESULTS_DIR = Path(__file__).resolve().parent / "results"


@dataclass
class Figure:
    part: str
    name: str
    unit: str
    runs: list[float]
    extra: dict[str, float | int | str] = field(default_factory=dict)

    @property
    def median(self) -> float:
        return statistics.median(self.runs)


def peak_rss_mib() -> float:
    """Peak resident memory of this process and its finished children (dbt), in MiB."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return (own + children) / 1024


def repeat(work: Callable[[], object], runs: int, warmups: int = 1) -> list[float]:
    """Seconds per run of `work`, after `warmups` unmeasured runs."""
    for _ in range(warmups):
        work()
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        timings.append(time.perf_counter() - started)
    return timings


def render(figures: list[Figure]) -> str:
    header = f"{'part':<8} {'measure':<38} {'median':>12} {'min':>12} {'max':>12}  unit"
    lines = [header, "-" * len(header)]
    for f in figures:
        lines.append(
            f"{f.part:<8} {f.name:<38} {f.median:>12,.2f} {min(f.runs):>12,.2f} "
            f"{max(f.runs):>12,.2f}  {f.unit}"
        )
        for key, value in f.extra.items():
            lines.append(f"{'':<8}   {key}: {value}")
    lines.append(f"peak RSS (process + children): {peak_rss_mib():,.0f} MiB")
    return "\n".join(lines)


def save(part: str, figures: list[Figure]) -> Path:
    RESULTS_DIR.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = RESULTS_DIR / f"{part}-{stamp}.json"
    payload = {
        "part": part,
        "recorded_at": stamp,
        "machine": {"python": platform.python_version(), "cpus": __import__("os").cpu_count()},
        "peak_rss_mib": round(peak_rss_mib(), 1),
        "figures": [asdict(f) | {"median": f.median} for f in figures],
    }
    path.write_text(json.dumps(payload, indent=1) + "\n")
    return path
