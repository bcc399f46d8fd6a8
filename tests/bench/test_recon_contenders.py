"""bench recon: every contender counts the same breaks as the engine on a tiny day (no
timings asserted: the benchmark prints those)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from bench import recon
from sandbox.generator import generate


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    scratch = tmp_path_factory.mktemp("recon-bench")
    generate(scratch / "world", seed=3, trades=300)
    path = recon.load(scratch / "world", scratch)
    dbt = recon.Dbt(path, scratch)
    dbt("seed")
    dbt("run")
    assert set(recon.RECON_MODELS) <= set(dbt.model_seconds())
    with duckdb.connect(str(path)) as con:
        con.execute("create schema if not exists bench")
        for name in ("allocations", "confirmations"):
            con.execute(recon.FRAME_SQL.format(name=name))
        for name in ("allocations", "confirmations"):
            con.sql(recon.EXPORT_SQL.format(name=name)).pl().write_parquet(
                scratch / f"{name}.parquet"
            )
    return path


def test_floor_and_pandas_count_the_engines_breaks(warehouse: Path) -> None:
    import pandas as pd

    with duckdb.connect(str(warehouse)) as con:
        ours = recon.engine_breaks(con)
        floor = con.execute(recon.floor_sql()).fetchall()[0][0]
    frames = warehouse.parent
    allocations = pd.read_parquet(frames / "allocations.parquet")
    confirmations = pd.read_parquet(frames / "confirmations.parquet")
    assert ours > 0
    assert floor == ours
    assert recon.pandas_merge_breaks(allocations, confirmations) == ours


def test_datacompy_counts_the_engines_breaks(warehouse: Path) -> None:
    # datacompy cannot live beside our pins: its own venv is built (uv, pinned) if missing.
    recon.peers_python()
    with duckdb.connect(str(warehouse)) as con:
        ours = recon.engine_breaks(con)
    results = recon.run_datacompy(warehouse.parent, runs=1)
    assert {name: r["breaks"] for name, r in results.items()} == {"polars": ours, "pandas": ours}
