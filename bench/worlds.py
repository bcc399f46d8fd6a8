"""Generated worlds for the benchmarks, cached under bench/.cache/<seed>-<trades>-<version>/.

A 1M-trade day takes minutes and gigabytes to generate; reruns reuse it. The version is a
hash of the generator's source (sandbox/*.py), so a change to the generator makes a new
world instead of measuring a stale one. A world is complete once its `.complete` marker
exists (written last), so an interrupted generation is redone, not reused.
"""

from __future__ import annotations

import hashlib
import shutil
import time
from pathlib import Path

from sandbox.generator import generate

CACHE_DIR = Path(__file__).resolve().parent / ".cache"
SANDBOX_DIR = Path(__file__).resolve().parent.parent / "sandbox"
COMPLETE = ".complete"


def generator_version() -> str:
    digest = hashlib.sha256()
    for source in sorted(SANDBOX_DIR.glob("*.py")):
        digest.update(source.name.encode() + b"\0" + source.read_bytes())
    return digest.hexdigest()[:12]


def world_dir(seed: int, trades: int) -> Path:
    return CACHE_DIR / f"{seed}-{trades}-{generator_version()}"


def cached_world(seed: int, trades: int) -> Path:
    """The inbox of a one-day world of `trades` trades, generated once per generator version."""
    root = world_dir(seed, trades)
    if (root / COMPLETE).exists():
        print(f"reusing the {trades:,}-trade day in {root}", flush=True)
        return root / "world"
    for stale in CACHE_DIR.glob(f"{seed}-{trades}-*"):
        shutil.rmtree(stale, ignore_errors=True)
    print(f"generating a {trades:,}-trade day into {root} ...", flush=True)
    started = time.perf_counter()
    generate(root / "world", seed=seed, trades=trades)
    (root / COMPLETE).write_text(f"{time.perf_counter() - started:.1f} s to generate\n")
    return root / "world"


if __name__ == "__main__":
    import sys

    print(cached_world(int(sys.argv[1]), int(sys.argv[2])))
