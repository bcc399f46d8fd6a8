"""datacompy's Polars and pandas backends on the recon frames (run by bench/recon.py).

Runs in its own venv (bench/peers-requirements.txt: datacompy 1.1.0 needs pandas < 3.1 and
polars < 1.45, older than the project's pins), so it imports nothing of the project.
`python bench/recon_peers.py FRAMES_DIR RUNS` reads allocations.parquet and
confirmations.parquet and a spec.json (keys, tolerances), times each backend (one warm-up,
then RUNS runs) and prints one JSON object: {backend: {"runs": [...], "breaks": N, ...}}.

Break count, as for every contender: confirmations with no allocation line (unexpected),
lines with no confirmation (missing), quantity outside its tolerance, price outside its
tolerance, and net amount outside its tolerance when quantity and price are both within.
datacompy compares |df1 - df2| <= abs_tol + rel_tol * |df2|: df2 is the allocation (our
reference value) and each field has one non-zero tolerance, the same as the engine's
|right - left| > greatest(abs, rel * |left|).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import datacompy
import pandas as pd
import polars as pl


def _tolerances(spec: dict) -> tuple[dict[str, float], dict[str, float]]:
    absolute = {field: tol[0] for field, tol in spec["tolerances"].items()} | {"default": 0.0}
    relative = {field: tol[1] for field, tol in spec["tolerances"].items()} | {"default": 0.0}
    return absolute, relative


def polars_breaks(confirmations: pl.DataFrame, allocations: pl.DataFrame, spec: dict) -> int:
    absolute, relative = _tolerances(spec)
    compare = datacompy.PolarsCompare(
        confirmations, allocations, join_columns=spec["keys"], abs_tol=absolute, rel_tol=relative
    )
    both = compare.intersect_rows
    quantity, price, net = (pl.col(f"{f}_match") for f in ("quantity", "price", "net_amount"))
    fields = both.select(
        (~quantity).sum() + (~price).sum() + (quantity & price & ~net).sum()
    ).item()
    return compare.df1_unq_rows.height + compare.df2_unq_rows.height + int(fields)


def pandas_breaks(confirmations: pd.DataFrame, allocations: pd.DataFrame, spec: dict) -> int:
    absolute, relative = _tolerances(spec)
    compare = datacompy.PandasCompare(
        confirmations, allocations, join_columns=spec["keys"], abs_tol=absolute, rel_tol=relative
    )
    both = compare.intersect_rows
    quantity, price, net = (both[f"{f}_match"] for f in ("quantity", "price", "net_amount"))
    fields = (~quantity).sum() + (~price).sum() + (quantity & price & ~net).sum()
    return len(compare.df1_unq_rows) + len(compare.df2_unq_rows) + int(fields)


def _timed(work, runs: int) -> tuple[list[float], int]:
    breaks = work()
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        breaks = work()
        timings.append(time.perf_counter() - started)
    return timings, breaks


def main() -> None:
    frames, runs = Path(sys.argv[1]), int(sys.argv[2])
    spec = json.loads((frames / "spec.json").read_text())
    allocations = pl.read_parquet(frames / "allocations.parquet")
    confirmations = pl.read_parquet(frames / "confirmations.parquet")
    pd_allocations, pd_confirmations = allocations.to_pandas(), confirmations.to_pandas()
    results = {}
    for name, work in (
        ("polars", lambda: polars_breaks(confirmations, allocations, spec)),
        ("pandas", lambda: pandas_breaks(pd_confirmations, pd_allocations, spec)),
    ):
        timings, breaks = _timed(work, runs)
        results[name] = {
            "runs": timings,
            "breaks": breaks,
            "versions": f"datacompy {datacompy.__version__}, polars {pl.__version__}, "
            f"pandas {pd.__version__}",
        }
    print(json.dumps(results))


if __name__ == "__main__":
    main()
