"""`python -m bench.e2e_run WORLD SCRATCH duckdb|postgres [DSN]`: one end-to-end run in a
fresh process (its own memory, its own dbt child), printed as JSON on the last line.

The run is `posttrade.pipeline.run_pipeline` over the inbox WORLD, with the warehouse, the
landing archive, the lake, the reports, the outbox and the Dagster instance under SCRATCH.
Stages as issue 8 names them:

- extract+parse: the pre-run scan that learns each file's business date (partition window)
  plus, inside the ingest steps, reading each file and parsing it (time spent producing
  the parser's batches);
- load: the rest of the ingest steps (landing archive, warehouse inserts, Parquet lake,
  ledger);
- dbt build / recon: the dbt step, the recon models' share (dbt's run_results.json: the
  models under models/recon, breaks included) given to recon;
- write-back: the writeback/outbox step;
- checks+report: the Great Expectations check steps and the daily operations report;
- other: the remainder of the whole run (Dagster launch and definitions, step bookkeeping).
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from collections.abc import Iterator
from pathlib import Path

_timers = {"read_parse": 0.0, "date_scan": 0.0}


def _install_timers() -> None:
    """Wrap the reader and the parser the ingest steps call (steps run in this process)."""
    import loaders.ingest
    import posttrade.pipeline
    from extractors.transport import DirectoryTransport

    delivered_batches = loaders.ingest.delivered_batches

    def timed_delivered_batches(*args, **kwargs) -> Iterator:
        iterator = iter(delivered_batches(*args, **kwargs))
        while True:
            started = time.perf_counter()
            try:
                batch = next(iterator)
            except StopIteration:
                _timers["read_parse"] += time.perf_counter() - started
                return
            _timers["read_parse"] += time.perf_counter() - started
            yield batch

    loaders.ingest.delivered_batches = timed_delivered_batches

    read = DirectoryTransport.read

    def timed_read(self, file):
        started = time.perf_counter()
        try:
            return read(self, file)
        finally:
            _timers["read_parse"] += time.perf_counter() - started

    DirectoryTransport.read = timed_read  # type: ignore[method-assign]

    partition_window = posttrade.pipeline.partition_window

    def timed_partition_window(*args, **kwargs):
        started = time.perf_counter()
        before = _timers["read_parse"]
        try:
            return partition_window(*args, **kwargs)
        finally:
            _timers["date_scan"] += time.perf_counter() - started
            _timers["read_parse"] = before  # the scan is counted on its own

    posttrade.pipeline.partition_window = timed_partition_window


def _step_seconds(run_id: str) -> dict[str, float]:
    import dagster as dg

    with dg.DagsterInstance.get() as instance:
        stats = instance.get_run_step_stats(run_id)
    return {s.step_key: (s.end_time or 0) - (s.start_time or 0) for s in stats}


def _dbt_node_seconds(run_id: str) -> dict[str, float]:
    """unique_id -> execution seconds from this run's dbt run_results.json (then removed:
    dagster-dbt gives each invocation its own target folder, named after the run)."""
    import shutil

    from posttrade.settings import DBT_PROJECT_DIR

    seconds: dict[str, float] = {}
    for folder in (Path(DBT_PROJECT_DIR) / "target").glob(f"*-{run_id[:7]}-*"):
        results = folder / "run_results.json"
        if results.exists():
            for node in json.loads(results.read_text())["results"]:
                seconds[node["unique_id"]] = node.get("execution_time") or 0.0
        shutil.rmtree(folder, ignore_errors=True)
    return seconds


def _recon_models() -> set[str]:
    from posttrade.settings import DBT_PROJECT_DIR

    manifest = json.loads((Path(DBT_PROJECT_DIR) / "target" / "manifest.json").read_text())
    return {
        uid
        for uid, node in manifest["nodes"].items()
        if node["resource_type"] == "model" and node["fqn"][1:2] == ["recon"]
    }


def _stages(total: float, steps: dict[str, float], nodes: dict[str, float]) -> dict[str, float]:
    ingest = sum(s for key, s in steps.items() if key.startswith("ingest_"))
    dbt_step = sum(s for key, s in steps.items() if "dbt" in key)
    writeback = sum(s for key, s in steps.items() if key.startswith("writeback"))
    recon_models = _recon_models()
    recon_sum = sum(s for uid, s in nodes.items() if uid in recon_models)
    node_sum = sum(nodes.values())
    # dbt runs its nodes on several threads on PostgreSQL: scale the summed node times to
    # the step's wall clock when they exceed it.
    recon = recon_sum * min(1.0, dbt_step / node_sum) if node_sum else 0.0
    parse = min(_timers["read_parse"], ingest)
    stages = {
        "extract+parse": _timers["date_scan"] + parse,
        "load": ingest - parse,
        "dbt build": dbt_step - recon,
        "recon": recon,
        "write-back": writeback,
        "checks+report": sum(
            s for key, s in steps.items() if "_gx_" in key or key.startswith("reports")
        ),
    }
    stages["other"] = max(0.0, total - sum(stages.values()))
    return stages


def main() -> None:
    world, scratch, target = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
    dsn = sys.argv[4] if len(sys.argv) > 4 else None
    os.environ["DAGSTER_HOME"] = str(scratch / "dagster")
    os.environ["POSTTRADE_DATA_DIR"] = str(scratch / "data")
    os.environ["POSTTRADE_OUTBOX"] = str(scratch / "outbox")
    os.environ.pop("POSTTRADE_WRITEBACK_URL", None)
    (scratch / "dagster").mkdir(parents=True, exist_ok=True)

    from posttrade.pipeline import run_pipeline
    from posttrade.settings import WarehouseSettings
    from posttrade.telemetry import disable_telemetry

    disable_telemetry()
    _install_timers()
    settings = WarehouseSettings(target, scratch / "warehouse.duckdb", dsn)  # type: ignore[arg-type]
    started = time.perf_counter()
    run = run_pipeline(world, settings, log_level="WARNING")
    total = time.perf_counter() - started
    if not run.success:
        print(json.dumps({"error": f"pipeline failed at {run.failed_steps}"}))
        sys.exit(1)
    steps = _step_seconds(run.run_id)
    nodes = _dbt_node_seconds(run.run_id)
    outbox = [p for p in (scratch / "outbox").rglob("*") if p.is_file()]
    from posttrade.warehouse_query import fetch

    _, rows = fetch(settings, "select count(*) from recon.breaks")
    own_usage = resource.getrusage(resource.RUSAGE_SELF)
    child_usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    own, children = own_usage.ru_maxrss / 1024, child_usage.ru_maxrss / 1024
    # CPU seconds (user + system, the run and dbt): on a shared machine, the figure the
    # other processes move least.
    cpu = sum(u.ru_utime + u.ru_stime for u in (own_usage, child_usage))
    result = {
        "total": total,
        "stages": _stages(total, steps, nodes),
        "steps": steps,
        "slowest_dbt_nodes": dict(sorted(nodes.items(), key=lambda kv: -kv[1])[:12]),
        "date_scan": _timers["date_scan"],
        "cpu_seconds": cpu,
        "breaks": rows[0][0],
        "outbox_files": len(outbox),
        "rss_self_mib": own,
        "rss_largest_child_mib": children,
    }
    # The run's whole detail (every step and the slowest dbt nodes), for profiling.
    from bench.harness import RESULTS_DIR

    RESULTS_DIR.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    detail = RESULTS_DIR / f"e2e-run-{target}-{world.parent.name}-{stamp}.json"
    detail.write_text(json.dumps(result, indent=1) + "\n")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
