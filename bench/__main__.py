"""`python -m bench [PART|generate|all] [--trades N] [--runs R]`: print figures, save JSON."""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

from bench import end_to_end, latency, memory, parse, recon
from bench import generate as generation
from bench.harness import render, save
from posttrade.telemetry import disable_telemetry
from sandbox.generator import generate

PARTS = {
    "parse": parse.measure,
    "memory": memory.measure,
    "e2e": end_to_end.measure,
    "recon": recon.measure,
    "latency": latency.measure,
}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("part", choices=[*PARTS, "generate", "all"], nargs="?", default="all")
    parser.add_argument(
        "--trades", type=int, nargs="+", help="trades a day (default 20k; e2e: 100k and 1M)"
    )
    parser.add_argument("--runs", type=int, default=3, help="measured runs after one warm-up")
    args = parser.parse_args()
    disable_telemetry()
    sizes = args.trades or [20_000]
    if args.part == "generate":
        # Run alone, so the peak RSS printed is the generator's own.
        figures = generation.measure_generation(sizes[0], args.runs)
        print(render(figures))
        print(f"saved {save('generate', figures)}")
        return
    with tempfile.TemporaryDirectory() as scratch:
        os.environ.setdefault("DAGSTER_HOME", str(Path(scratch) / "dagster"))
        Path(os.environ["DAGSTER_HOME"]).mkdir(parents=True, exist_ok=True)
        world = Path(scratch) / "world"
        parts = [p for p in PARTS if args.part in ("all", p)]
        if parts != ["e2e"]:
            print(f"generating a {sizes[0]:,}-trade day ...", flush=True)
            generate(world, seed=1, trades=sizes[0])
        for part in parts:
            print(f"measuring {part} ({args.runs} runs after a warm-up) ...", flush=True)
            if part == "e2e":  # its own sizes (default 100k and 1M), cached worlds
                figures = end_to_end.measure_sizes(args.trades or list(end_to_end.SIZES), args.runs)
            else:
                figures = PARTS[part](world, args.runs)
            print(render(figures))
            print(f"saved {save(part, figures)}")


if __name__ == "__main__":
    main()
