"""Peak memory parsing a large file, whole and in batches, as the file grows.

Each measurement runs in a fresh process (`python -m bench.rss`), so its peak RSS is its
own. The largest FIX, MT and XML file of the generated day is parsed at 25%, 50% and 100%
of its messages; in batches (as the loaders ingest) the memory beyond the file's own bytes
must stay flat as the file grows, where the whole-file parse grows with it.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.harness import Figure
from bench.parse import FORMATS

FRACTIONS = (0.25, 0.5, 1.0)
MODES = ("batches", "whole")
# Smaller than the loaders' default (extractors.batches.BATCH_MESSAGES), so that the files
# of the default 20k-trade day are cut into several batches too.
BATCH = 10_000


def prefix(data: bytes, kind: str, fraction: float) -> bytes:
    """The file's first messages, about `fraction` of its bytes, still a valid file."""
    if fraction >= 1:
        return data
    cut = int(len(data) * fraction)
    if kind == "XML":  # the generator writes one message per line and closes the root last
        closing = data.rstrip().rsplit(b"\n", 1)[-1]
        return data[: data.rindex(b"\n", 0, cut) + 1] + closing + b"\n"
    return data[: data.rindex(b"8=FIX" if kind == "FIX" else b"{1:", 0, cut)]


def _largest(world: Path) -> dict[str, Path]:
    largest: dict[str, Path] = {}
    for path in world.glob("*/*"):
        kind = FORMATS.get(path.suffix)
        if kind and (kind not in largest or path.stat().st_size > largest[kind].stat().st_size):
            largest[kind] = path
    return largest


def measure(world: Path, runs: int) -> list[Figure]:
    figures = []
    with tempfile.TemporaryDirectory() as scratch:
        for kind, path in sorted(_largest(world).items()):
            data = path.read_bytes()
            for fraction in FRACTIONS:
                part = Path(scratch) / f"{fraction}{path.suffix}"
                part.write_bytes(prefix(data, kind, fraction))
                for mode in MODES:
                    results = [_run(path.parent.name, part, mode) for _ in range(runs)]
                    size_mib = part.stat().st_size / 2**20
                    peaks = [r["peak_rss_mib"] for r in results]
                    figures.append(
                        Figure(
                            "memory",
                            f"{kind} {fraction:.0%} {mode} peak RSS",
                            "MiB",
                            peaks,
                            {
                                "file MiB": round(size_mib, 1),
                                "messages": results[0]["messages"],
                                "beyond the file's bytes (MiB, min)": round(min(peaks) - size_mib),
                            },
                        )
                    )
    return figures


def _run(platform: str, path: Path, mode: str) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-m", "bench.rss", platform, str(path), mode, str(BATCH)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])
