"""Parser throughput per format against the floor of reading the same bytes (issue 8, item 3).

Per file of the generated day: messages/s and MB/s of the parser, wall clock and per core
(messages per CPU second of the process, so Polars' threads are counted), and the floor:
Polars reading the file as lines (FIX, MT) or lxml's iterparse doing nothing with the
same safe settings (XML). Targets: >= 100k messages/s per core for FIX and MT; XML within
2x of its floor. A missed target is printed with how far off it is.
"""

from __future__ import annotations

import io
import statistics
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import polars as pl
from lxml import etree

from bench.harness import Figure
from extractors.base import parse_file

FORMATS = {".fix": "FIX", ".fin": "MT", ".xml": "XML"}
TARGET_PER_CORE = 100_000  # FIX and MT messages/s per core
XML_WITHIN = 2.0  # XML parse time at most this many times the iterparse floor
MIN_BYTES = 64_000  # smaller files measure start-up costs, not throughput


def lines_floor(data: bytes) -> int:
    """Polars reading the file as lines: what any FIX or MT parser has to pay at least."""
    frame = pl.read_csv(
        io.BytesIO(data),
        has_header=False,
        separator="\x1f",
        quote_char=None,
        new_columns=["line"],
        infer_schema=False,
    )
    return frame.height


def iterparse_floor(data: bytes) -> int:
    """lxml iterparse over every element, doing nothing but freeing it (safe settings)."""
    count = 0
    for _, element in etree.iterparse(
        io.BytesIO(data),
        events=("end",),
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
    ):
        count += 1
        element.clear(keep_tail=True)
    return count


def _timed(work: Callable[[], object], runs: int) -> tuple[list[float], list[float]]:
    """(wall seconds, CPU seconds) per run, after one warm-up run."""
    work()
    walls, cpus = [], []
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        work()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return walls, cpus


def _verdict(kind: str, per_core: float, ratio: float) -> str:
    if kind == "XML":
        if ratio <= XML_WITHIN:
            return f"met: {ratio:.1f}x the floor (target <= {XML_WITHIN:.0f}x)"
        over = ratio / XML_WITHIN
        return f"MISSED: {ratio:.1f}x the floor, {over:.1f}x over the {XML_WITHIN:.0f}x target"
    if per_core >= TARGET_PER_CORE:
        return f"met: {per_core:,.0f} msg/s per core (target {TARGET_PER_CORE:,})"
    short = 1 - per_core / TARGET_PER_CORE
    return f"MISSED by {short:.0%}: {per_core:,.0f} msg/s per core (target {TARGET_PER_CORE:,})"


def measure(world: Path, runs: int) -> list[Figure]:
    figures = []
    files = sorted(p for p in world.glob("*/*") if p.suffix in FORMATS)
    for path in files:
        data = path.read_bytes()
        if len(data) < MIN_BYTES:
            continue
        kind = FORMATS[path.suffix]
        platform = path.parent.name
        source = f"{platform}/{path.name}"
        parsed = parse_file(platform, source, data)
        messages = parsed.message_count
        walls, cpus = _timed(partial(parse_file, platform, source, data), runs)
        floor = iterparse_floor if kind == "XML" else lines_floor
        floor_walls, floor_cpus = _timed(partial(floor, data), runs)
        megabytes = len(data) / 1e6
        wall, cpu = statistics.median(walls), statistics.median(cpus)
        floor_wall, floor_cpu = statistics.median(floor_walls), statistics.median(floor_cpus)
        ratio = cpu / floor_cpu
        figures.append(
            Figure(
                "parse",
                f"{kind} {source.split('_', 1)[-1]} msg/s",
                "msg/s",
                [messages / t for t in walls],
                {
                    "messages": messages,
                    "MB": round(megabytes, 1),
                    "MB/s (median wall)": round(megabytes / wall, 1),
                    "msg/s per core (CPU time)": round(messages / cpu),
                    "MB/s per core": round(megabytes / cpu, 1),
                    "floor msg/s per core": round(messages / floor_cpu),
                    "floor MB/s per core": round(megabytes / floor_cpu, 1),
                    "floor MB/s (median wall)": round(megabytes / floor_wall, 1),
                    "parse / floor (CPU)": round(ratio, 2),
                    "target": _verdict(kind, messages / cpu, ratio),
                },
            )
        )
    return figures
