"""A generated day from files in the inbox to recon.breaks and the outbox, split by stage.

Each size runs on DuckDB; sizes up to PG_MAX_TRADES also run on PostgreSQL (a fresh scratch
database, dropped after; server from POSTTRADE_PG_DSN). Every run is a fresh process
(bench.e2e_run), so its peak RSS is its own: the whole process tree (the run and its dbt
child) is sampled from /proc every 50 ms and summed. Worlds are cached (bench.worlds).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

from bench.harness import Figure
from bench.worlds import cached_world

SIZES = (100_000, 1_000_000)
PG_MAX_TRADES = 100_000
DEFAULT_PG_DSN = "postgresql://postgres@127.0.0.1:5432/postgres"
# Issue 8's targets, for the 1M-trade day on 2 cores and 24 GiB.
TARGET_TRADES = 1_000_000
TARGET_SECONDS = 60.0
TARGET_RSS_MIB = 4096.0
# One measured run from this size up (a run takes minutes); a warm-up only when runs > 1.
LARGE_TRADES = 1_000_000
STAGES = ("extract+parse", "load", "dbt build", "recon", "write-back", "checks+report", "other")


def _tree_rss_mib(root: int) -> float:
    """Resident memory of `root` and all its descendants now, in MiB (Linux /proc)."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat") as stat:
                ppid = int(stat.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry.name))
    total_kib, todo = 0, [root]
    while todo:
        pid = todo.pop()
        todo.extend(children.get(pid, []))
        try:
            with open(f"/proc/{pid}/status") as status:
                for line in status:
                    if line.startswith("VmRSS:"):
                        total_kib += int(line.split()[1])
                        break
        except OSError:
            continue
    return total_kib / 1024


def _run_once(world: Path, target: str, dsn: str | None) -> dict:
    with tempfile.TemporaryDirectory(prefix="bench-e2e-") as scratch:
        command = [sys.executable, "-m", "bench.e2e_run", str(world), scratch, target]
        if dsn:
            command.append(dsn)
        env = {**os.environ, "TQDM_DISABLE": "1"}  # Great Expectations' progress bars
        process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=env)
        peak = 0.0
        done = threading.Event()

        def sample() -> None:
            nonlocal peak
            while not done.is_set():
                peak = max(peak, _tree_rss_mib(process.pid))
                time.sleep(0.05)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        started = time.perf_counter()
        stdout, _ = process.communicate()
        wall = time.perf_counter() - started
        done.set()
        sampler.join()
    lines = stdout.strip().splitlines()
    result = json.loads(lines[-1]) if lines else {"error": "no output"}
    if process.returncode or "error" in result:
        raise RuntimeError(f"end-to-end run on {target} failed: {result.get('error')}")
    # Sampling can miss a short spike; the run's own peak (getrusage) cannot.
    result["tree_rss_mib"] = max(peak, result["rss_self_mib"])
    result["process_wall"] = wall
    return result


class _ScratchDatabase:
    """A fresh PostgreSQL database on the POSTTRADE_PG_DSN server, dropped afterwards."""

    def __init__(self, server_dsn: str) -> None:
        import psycopg

        from posttrade.settings import dbt_postgres_env

        self.admin = psycopg.connect(server_dsn, autocommit=True, connect_timeout=5)
        self.name = f"posttrade_bench_{uuid.uuid4().hex[:12]}"
        self.admin.execute(f'create database "{self.name}"')
        parts = dbt_postgres_env(server_dsn)
        password = parts["POSTTRADE_PG_PASSWORD"]
        auth = parts["POSTTRADE_PG_USER"] + (f":{password}" if password else "")
        self.dsn = (
            f"postgresql://{auth}@{parts['POSTTRADE_PG_HOST']}:"
            f"{parts['POSTTRADE_PG_PORT']}/{self.name}"
        )

    def drop(self) -> None:
        self.admin.execute(f'drop database if exists "{self.name}" with (force)')
        self.admin.close()


def _run(world: Path, target: str) -> dict:
    if target == "duckdb":
        return _run_once(world, target, None)
    database = _ScratchDatabase(os.environ.get("POSTTRADE_PG_DSN") or DEFAULT_PG_DSN)
    try:
        return _run_once(world, target, database.dsn)
    finally:
        database.drop()


def _verdict(trades: int, seconds: float, rss_mib: float) -> str:
    rss = (
        "RSS met"
        if rss_mib < TARGET_RSS_MIB
        else f"RSS missed by {rss_mib - TARGET_RSS_MIB:,.0f} MiB"
    )
    if trades != TARGET_TRADES:
        return f"time: target is for {TARGET_TRADES:,} trades; {rss} (< 4 GiB)"
    over = seconds - TARGET_SECONDS
    time_verdict = "time met" if over < 0 else f"time missed by {over:.0f} s"
    return f"{time_verdict} (< {TARGET_SECONDS:.0f} s); {rss} (< 4 GiB)"


def _pg_reachable() -> str | None:
    """Why PostgreSQL cannot be used, or None."""
    import psycopg

    dsn = os.environ.get("POSTTRADE_PG_DSN") or DEFAULT_PG_DSN
    try:
        psycopg.connect(dsn, connect_timeout=5).close()
    except psycopg.OperationalError as error:
        return f"cannot connect to {dsn}: {str(error).strip()}"
    return None


def measure_sizes(sizes: list[int], runs: int, seed: int = 1) -> list[Figure]:
    figures: list[Figure] = []
    pg_problem = _pg_reachable()
    for trades in sizes:
        world = cached_world(seed, trades)
        targets = ["duckdb"] + (["postgres"] if trades <= PG_MAX_TRADES else [])
        # BENCH_E2E_WAREHOUSES=postgres (or duckdb) measures one warehouse only.
        only = os.environ.get("BENCH_E2E_WAREHOUSES")
        targets = [t for t in targets if not only or t in only.split(",")]
        for target in targets:
            if target == "postgres" and pg_problem:
                print(f"skipping PostgreSQL at {trades:,}: {pg_problem}", flush=True)
                continue
            n = 1 if trades >= LARGE_TRADES else runs
            warmups = 1 if n > 1 else 0
            print(f"e2e {trades:,} trades on {target}: {warmups} warm-up, {n} measured", flush=True)
            for _ in range(warmups):
                _run(world, target)
            results = [_run(world, target) for _ in range(n)]
            figures += _figures(trades, target, results)
    return figures


def _figures(trades: int, target: str, results: list[dict]) -> list[Figure]:
    label = f"{trades // 1000:,}k {target}"
    rss = max(r["tree_rss_mib"] for r in results)
    totals = [r["total"] for r in results]
    last = results[-1]
    slowest = list(last["slowest_dbt_nodes"].items())[:6]
    whole = Figure(
        "e2e",
        f"{label} inbox->breaks+outbox",
        "s",
        totals,
        {
            "runs": len(results),
            "trades/s (median)": round(trades / sorted(totals)[len(totals) // 2]),
            "peak RSS, process tree (MiB)": round(rss),
            "CPU s, run + dbt (median)": round(
                sorted(r.get("cpu_seconds", 0.0) for r in results)[len(results) // 2], 1
            ),
            "verdict": _verdict(trades, max(totals), rss),
            "recon.breaks rows": last["breaks"],
            "outbox files": last["outbox_files"],
            "slowest dbt nodes (s)": ", ".join(
                f"{uid.split('.')[-1]} {seconds:.1f}" for uid, seconds in slowest
            ),
        },
    )
    stages = [
        Figure("e2e", f"{label}   {stage}", "s", [r["stages"][stage] for r in results])
        for stage in STAGES
    ]
    # The pre-run scan parses every new file to learn its business date: a second parse.
    stages[0].extra["of which pre-run date scan (s)"] = round(last.get("date_scan", 0.0), 1)
    return [whole, *stages]


def measure(world: Path, runs: int) -> list[Figure]:
    """The e2e part over the default sizes (the `world` of the other parts is not used)."""
    return measure_sizes(list(SIZES), runs)
