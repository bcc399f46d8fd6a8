"""`python -m bench [PART|generate|all] [--trades N] [--runs R]`: print figures, save JSON."""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

from bench import end_to_end, latency, memory, parse, recon
from bench import generate as generation
from bench.harness import render, save
from bench.worlds import cached_world
from posttrade.telemetry import disable_telemetry

# The day each part measures unless --trades says otherwise (issue 8: the recon on the same
# 1M trades as the end-to-end run; latency over a 20k day, 1% of it per custodian file).
DEFAULT_TRADES = {"parse": 100_000, "memory": 100_000, "recon": 1_000_000, "latency": 20_000}

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
        "--trades",
        type=int,
        nargs="+",
        help="trades a day (defaults: parse and memory 100k, recon 1M, latency 20k, "
        "e2e 100k and 1M, generate 20k)",
    )
    parser.add_argument("--runs", type=int, default=3, help="measured runs after one warm-up")
    args = parser.parse_args()
    disable_telemetry()
    if args.part == "generate":
        # Run alone, so the peak RSS printed is the generator's own.
        figures = generation.measure_generation((args.trades or [20_000])[0], args.runs)
        print(render(figures))
        print(f"saved {save('generate', figures)}")
        return
    with tempfile.TemporaryDirectory() as scratch:
        os.environ.setdefault("DAGSTER_HOME", str(Path(scratch) / "dagster"))
        Path(os.environ["DAGSTER_HOME"]).mkdir(parents=True, exist_ok=True)
        parts = [p for p in PARTS if args.part in ("all", p)]
        for part in parts:
            print(f"measuring {part} ({args.runs} runs after a warm-up) ...", flush=True)
            if part == "e2e":  # its own sizes (default 100k and 1M), cached worlds
                figures = end_to_end.measure_sizes(args.trades or list(end_to_end.SIZES), args.runs)
            else:
                trades = (args.trades or [DEFAULT_TRADES[part]])[0]
                figures = PARTS[part](cached_world(1, trades), args.runs)
            print(render(figures))
            print(f"saved {save(part, figures)}")


if __name__ == "__main__":
    main()
