"""Parser throughput per FIX message type against the floor of reading the same bytes."""

from __future__ import annotations

import io
from functools import partial
from pathlib import Path

import polars as pl

from bench.harness import Figure, repeat
from extractors.base import parse_file


def _lines_floor(data: bytes) -> int:
    """Polars reading the file as lines: what any parser has to pay at least."""
    frame = pl.read_csv(
        io.BytesIO(data),
        has_header=False,
        separator="\x1f",
        quote_char=None,
        new_columns=["line"],
        infer_schema=False,
    )
    return frame.height


def measure(world: Path, runs: int) -> list[Figure]:
    figures = []
    for path in sorted(world.glob("*/*.fix")):
        platform = path.parent.name
        data = path.read_bytes()
        messages = parse_file(platform, f"{platform}/{path.name}", data).message_count
        megabytes = len(data) / 1e6
        parse_times = repeat(partial(parse_file, platform, path.name, data), runs)
        floor_times = repeat(partial(_lines_floor, data), runs)
        kind = path.stem.split("_", 1)[1]
        figures.append(
            Figure(
                "parse",
                f"{platform} {kind} messages/s",
                "msg/s",
                [messages / t for t in parse_times],
                {
                    "messages": messages,
                    "MB/s (median)": round(
                        megabytes / sorted(parse_times)[len(parse_times) // 2], 1
                    ),
                    "floor: polars lines/s (median)": round(
                        messages / sorted(floor_times)[len(floor_times) // 2]
                    ),
                },
            )
        )
    return figures
