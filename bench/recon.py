"""The recon engine against its peers on the same trades and confirmations (issue 8, item 4).

The generated day's oms, ctm and refdata files are loaded into a scratch DuckDB once (not
timed); then, each after a warm-up, the contenders run on the same data:

- ours: `dbt run --select +recon_trade_vs_confirmation` (staging, intermediate, marts and the
  recon model: the real SQL), timed as a whole (wall clock of the dbt process) and split by
  dbt's run_results.json into dbt start-up, SQL of every model, and SQL of the recon proper
  (the match cascade and the comparison: int_confirmations_matched_to_allocations and
  recon_trade_vs_confirmation);
- the floor: a bare DuckDB hash join (full outer) with count(*) of the breaks;
- a plain pandas merge;
- datacompy's Polars and pandas backends (in their own venv, see bench/recon_peers.py).

The peers get the same two frames: the current allocation lines (marts.fct_allocations) and
the current confirmations (marts.fct_confirmations), key and compared fields only, joined on
AllocID + account (the cascade's second rule: every confirmation carries both, whereas 10%
leave IndividualAllocID out). They cannot express the cascade itself (a rule pairs only
mutually unique candidates, in priority order); a row whose break count differs from ours
says so. Break count, for every contender: missing confirmations + unexpected confirmations
+ quantity differences + price differences + net amount differences when quantity and price
agree (settlement dates and late affirmations, which the engine also reports, are left out).
Tolerances: the recon_tolerances seed. Targets: ours at most 2x the floor, at least 3x
faster than datacompy's Polars backend.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import duckdb
import pandas as pd

from bench.harness import Figure, repeat
from extractors.transport import DirectoryTransport
from loaders.duckdb_loader import DuckDBLoader
from loaders.ingest import RawStorage, ingest_platform
from posttrade.settings import DBT_PROJECT_DIR
from sandbox.confirmations import DEFECTS

BENCH_DIR = Path(__file__).resolve().parent
PEERS_VENV = BENCH_DIR / ".cache" / "peers-venv"
PEERS_REQUIREMENTS = BENCH_DIR / "peers-requirements.txt"
PLATFORMS = ("refdata", "oms", "ctm")
SELECTOR = "+recon_trade_vs_confirmation"
RECON_MODELS = ("int_confirmations_matched_to_allocations", "recon_trade_vs_confirmation")
# The break types counted: the generator's labelled ones, less settlement dates.
BREAK_TYPES = tuple(d for d in DEFECTS if d != "settlement_date_mismatch")
KEYS = ("alloc_id", "account")
FIELDS = ("quantity", "price", "net_amount")
FLOOR_WITHIN = 2.0  # ours at most this many times the bare join
DATACOMPY_FASTER = 3.0  # ours at least this many times faster than datacompy on Polars


def tolerances() -> dict[str, tuple[float, float]]:
    """(absolute, relative) tolerance per compared field: the seed's `*` rows."""
    with (DBT_PROJECT_DIR / "seeds" / "recon_tolerances.csv").open() as seed:
        rows = [r for r in csv.DictReader(seed) if r["recon"] == "trade_vs_confirmation"]
    found = {
        r["field"]: (float(r["abs_tolerance"]), float(r["rel_tolerance"]))
        for r in rows
        if r["currency_code"] == "*"
    }
    if set(found) != set(FIELDS) or len(rows) != len(found):
        raise RuntimeError(f"recon_tolerances changed: {rows}; update bench/recon.py")
    return found


# -- ours: the dbt models ---------------------------------------------------------------


class Dbt:
    """dbt against one scratch DuckDB file, its own target path (run_results.json)."""

    def __init__(self, warehouse: Path, scratch: Path) -> None:
        self.target = scratch / "target"
        self.target.mkdir(parents=True, exist_ok=True)
        # Start from the project's partial parse, as a deployed pipeline does.
        parsed = DBT_PROJECT_DIR / "target" / "partial_parse.msgpack"
        if parsed.exists():
            shutil.copy(parsed, self.target / parsed.name)
        self.logs = scratch / "logs"
        self.env = os.environ | {
            "POSTTRADE_TARGET": "duckdb",
            "POSTTRADE_DUCKDB_PATH": str(warehouse),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        }

    def __call__(self, *args: str) -> None:
        command = [
            str(Path(sys.executable).with_name("dbt")),
            *args,
            "--select",
            SELECTOR,
            "--project-dir",
            str(DBT_PROJECT_DIR),
            "--profiles-dir",
            str(DBT_PROJECT_DIR),
            "--target-path",
            str(self.target),
            "--log-path",
            str(self.logs),
            "--quiet",
        ]
        done = subprocess.run(
            command, cwd=DBT_PROJECT_DIR, env=self.env, capture_output=True, text=True
        )
        if done.returncode != 0:
            raise RuntimeError(f"dbt {args[0]} failed:\n{done.stdout}{done.stderr}")

    def model_seconds(self) -> dict[str, float]:
        """SQL seconds per model of the last run (dbt's run_results.json)."""
        results = json.loads((self.target / "run_results.json").read_text())["results"]
        return {r["unique_id"].rsplit(".", 1)[-1]: r["execution_time"] for r in results}


def load(world: Path, scratch: Path) -> Path:
    """The day's refdata, oms and ctm files in raw.* of a scratch DuckDB (the loaders)."""
    warehouse = scratch / "warehouse.duckdb"
    storage = RawStorage(scratch / "landing", scratch / "lake")
    with DuckDBLoader(warehouse) as loader:
        loader.ensure_raw_schema()
        for platform in PLATFORMS:
            ingest_platform(platform, DirectoryTransport(world), loader, storage)
    return warehouse


def engine_breaks(con: duckdb.DuckDBPyConnection) -> int:
    types = ", ".join(f"'{t}'" for t in BREAK_TYPES)
    sql = f"select count(*) from recon.recon_trade_vs_confirmation where break_type in ({types})"
    return con.execute(sql).fetchall()[0][0]


# -- the peers' frames, the floor and the pandas merge ------------------------------------

FRAME_SQL = """
create or replace table bench.{name} as
select alloc_id, account, quantity, price, net_amount
from marts.fct_{name} where is_current
"""


# The Python peers compare floats (datacompy's tolerances are floats).
EXPORT_SQL = (
    "select alloc_id, account, quantity::double as quantity, price::double as price, "
    "net_amount::double as net_amount from bench.{name}"
)


def break_predicates(left: str, right: str) -> tuple[str, str, str]:
    """SQL: quantity, price and net amount outside tolerance (recon_tolerances, `*` rows)."""
    out = []
    for field in FIELDS:
        absolute, relative = tolerances()[field]
        out.append(
            f"abs({right}.{field} - {left}.{field}) > greatest({absolute}, "
            f"{relative} * abs({left}.{field}))"
        )
    return out[0], out[1], out[2]


def floor_sql() -> str:
    """A bare hash join (full outer, on the keys) counting the breaks."""
    quantity, price, net = break_predicates("a", "c")
    on = " and ".join(f"a.{k} = c.{k}" for k in KEYS)
    return f"""
select coalesce(sum(case
    when a.alloc_id is null or c.alloc_id is null then 1
    else ({quantity})::int + ({price})::int
        + (not ({quantity}) and not ({price}) and {net})::int
end), 0)
from bench.allocations as a full outer join bench.confirmations as c on {on}
"""


def pandas_merge_breaks(allocations: pd.DataFrame, confirmations: pd.DataFrame) -> int:
    """A plain pandas outer merge on the keys, the same break rules, vectorised."""
    merged = allocations.merge(
        confirmations, how="outer", on=list(KEYS), suffixes=("_a", "_c"), indicator=True
    )
    both = merged[merged["_merge"] == "both"]
    outside = {}
    for field, (absolute, relative) in tolerances().items():
        left, right = both[f"{field}_a"], both[f"{field}_c"]
        limit = (relative * left.abs()).clip(lower=absolute)
        outside[field] = (right - left).abs() > limit
    quantity, price, net = outside["quantity"], outside["price"], outside["net_amount"]
    unpaired = int((merged["_merge"] != "both").sum())
    return unpaired + int(quantity.sum() + price.sum() + (~quantity & ~price & net).sum())


# -- datacompy, in its own venv ----------------------------------------------------------


def peers_python() -> Path:
    """The datacompy venv's python, built from bench/peers-requirements.txt when missing."""
    python = PEERS_VENV / "bin" / "python"
    stamp = PEERS_VENV / ".requirements"
    wanted = PEERS_REQUIREMENTS.read_text()
    if python.exists() and stamp.exists() and stamp.read_text() == wanted:
        return python
    uv = str(Path(sys.executable).with_name("uv"))
    subprocess.run(
        [uv, "venv", "--quiet", "--clear", "--python", sys.executable, str(PEERS_VENV)], check=True
    )
    subprocess.run(
        [uv, "pip", "install", "--quiet", "--python", str(python), "-r", str(PEERS_REQUIREMENTS)],
        check=True,
    )
    stamp.write_text(wanted)
    return python


def run_datacompy(frames: Path, runs: int) -> dict[str, dict]:
    spec = {"keys": list(KEYS), "tolerances": tolerances()}
    (frames / "spec.json").write_text(json.dumps(spec))
    done = subprocess.run(
        [str(peers_python()), str(BENCH_DIR / "recon_peers.py"), str(frames), str(runs)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise RuntimeError(f"datacompy failed:\n{done.stdout}{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# -- the run ------------------------------------------------------------------------------


def _timed(work: Callable[[], int], runs: int) -> tuple[list[float], int]:
    counted: list[int] = []
    timings = repeat(lambda: counted.append(work()), runs)
    return timings, counted[-1]


def _verdict(ratio: float, target: float, within: bool) -> str:
    """`within`: ratio must be <= target (vs the floor), else >= target (speed-up)."""
    if ratio <= target if within else ratio >= target:
        return "met"
    return f"missed by {ratio / target:.1f}x" if within else f"missed by {target / ratio:.1f}x"


class Contenders:
    """Every contender's timings and break count, and the verdicts against ours."""

    def __init__(self) -> None:
        self.rows: list[tuple[str, list[float], int, dict]] = []

    def add(self, name: str, runs: list[float], breaks: int, **extra: object) -> None:
        self.rows.append((name, runs, breaks, extra))

    def figures(self, reference: int, ours: list[str], floor: str, datacompy: str) -> list[Figure]:
        medians = {name: statistics.median(runs) for name, runs, _, _ in self.rows}
        figures = []
        for name, runs, breaks, extra in self.rows:
            agreement = "same" if breaks == reference else f"DIFFERS (ours {reference:,})"
            row = {"breaks": breaks, "break count": agreement, **extra}
            row["x floor"] = f"{medians[name] / medians[floor]:.3g}"
            if name in ours:
                vs_floor = medians[name] / medians[floor]
                row["target <= 2x floor"] = _verdict(vs_floor, FLOOR_WITHIN, within=True)
                if datacompy in medians:
                    faster = medians[datacompy] / medians[name]
                    row["datacompy-polars / this"] = f"{faster:.3g}"
                    row["target >= 3x faster than datacompy-polars"] = _verdict(
                        faster, DATACOMPY_FASTER, within=False
                    )
            figures.append(Figure("recon", name, "s", runs, row))
        return figures


def measure(world: Path, runs: int, peers: bool = True) -> list[Figure]:
    with tempfile.TemporaryDirectory(prefix="bench-recon-") as tmp:
        scratch = Path(tmp)
        started = time.perf_counter()
        warehouse = load(world, scratch)
        loaded = time.perf_counter() - started
        dbt = Dbt(warehouse, scratch)
        dbt("seed")
        contenders = Contenders()
        # ours: dbt run of the recon and everything upstream, split by run_results.json
        walls, sql, recon = [], [], []
        for n in range(runs + 1):
            started = time.perf_counter()
            dbt("run")
            wall = time.perf_counter() - started
            seconds = dbt.model_seconds()
            if n:  # the first run is the warm-up
                walls.append(wall)
                sql.append(sum(seconds.values()))
                recon.append(sum(seconds[m] for m in RECON_MODELS))
        with duckdb.connect(str(warehouse)) as con:
            reference = engine_breaks(con)
            con.execute("create schema if not exists bench")
            for name in ("allocations", "confirmations"):
                con.execute(FRAME_SQL.format(name=name))
            rows = con.execute("select count(*) from bench.allocations").fetchall()[0][0]
            confirmations = con.execute("select count(*) from bench.confirmations").fetchall()[0][0]
            models = ", ".join(
                f"{m} {s:.2f}" for m, s in sorted(seconds.items(), key=lambda i: -i[1])
            )
            contenders.add(
                "ours: dbt run +recon (wall)",
                walls,
                reference,
                **{
                    "dbt start-up and overhead (median s)": round(
                        statistics.median(walls) - statistics.median(sql), 2
                    ),
                    "load of raw oms/ctm/refdata (s, once, untimed)": round(loaded, 1),
                    "allocation lines / confirmations": f"{rows:,} / {confirmations:,}",
                },
            )
            contenders.add(
                "ours: SQL of all 14 models", sql, reference, **{"last run, s per model": models}
            )
            contenders.add("ours: SQL of match + recon models", recon, reference)
            query = floor_sql()
            runs_floor, floor_breaks = _timed(lambda: con.execute(query).fetchall()[0][0], runs)
            contenders.add("floor: DuckDB hash join + count", runs_floor, floor_breaks)
            frames = scratch / "frames"
            frames.mkdir()
            allocations = con.sql(EXPORT_SQL.format(name="allocations")).pl()
            confirmations_frame = con.sql(EXPORT_SQL.format(name="confirmations")).pl()
        allocations.write_parquet(frames / "allocations.parquet")
        confirmations_frame.write_parquet(frames / "confirmations.parquet")
        pd_allocations, pd_confirmations = allocations.to_pandas(), confirmations_frame.to_pandas()
        runs_pandas, pandas_breaks = _timed(
            lambda: pandas_merge_breaks(pd_allocations, pd_confirmations), runs
        )
        contenders.add(f"pandas {pd.__version__} merge", runs_pandas, pandas_breaks)
        if peers:
            for backend, result in run_datacompy(frames, runs).items():
                name = f"datacompy {backend} backend"
                note = "cannot express the match cascade; joins on AllocID + account"
                contenders.add(
                    name, result["runs"], result["breaks"], versions=result["versions"], note=note
                )
        ours = ["ours: dbt run +recon (wall)", "ours: SQL of all 14 models"]
        ours.append("ours: SQL of match + recon models")
        return contenders.figures(
            reference, ours, "floor: DuckDB hash join + count", "datacompy polars backend"
        )
